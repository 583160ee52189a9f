"""The real-architecture zoo end to end: every (model, opset) of zoo.py exported from PyTorch,
compiled with kilnc -O3, run with kiln-run and compared against PyTorch.

Metric (as test_models.py): max |kiln - torch| / max |torch| under 1e-4 in float32. Each
result, with kilnc's wall time and the one-line error of a failure, is appended to
CACHE/results.jsonl; `make zoo` prints them as a table (zoo_report.py). `make zoo` also runs
every torchvision family with a symbolic batch (test_zoo_symbolic_batch).
"""

import collections
import json
import os
import re
import time

import numpy as np
import pytest

import cli
import zoo

MAX_RELATIVE_ERROR = 1e-4
CACHE = zoo.default_cache()


def max_relative_error(actual, expected):
    scale = float(np.abs(expected).max())
    return float(np.abs(actual.astype(np.float64) - expected).max()) / (scale or 1.0)


def _first_error_line(proc):
    """The tool's one-line error without its "TOOL: error: " prefix (the stage names it)."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    if not lines:
        return f"exit status {proc.returncode}, no message"
    return _short(lines[0].split(": error: ", 1)[-1])


def _short(error):
    """The error for a table cell: without the model's path, and an unsupported-op list as
    op types with node counts ("Pad x3") rather than every node."""
    error = re.sub(r"\S+\.onnx: ", "", error)
    head, sep, ops = error.partition("unsupported ONNX ops: ")
    if not sep:
        return error
    counts = collections.Counter(re.findall(r"(\S+) \(node ", ops))
    return head + sep + ", ".join(f"{op} x{n}" for op, n in counts.items())


class _Result:
    """One line of results.jsonl, written however the test ends."""

    def __init__(self, model, opset):
        self.record = {"model": model, "opset": opset, "status": "fail", "error": None,
                       "compile_s": None, "max_relative_error": None}

    def fail(self, stage, message):
        self.record["error"] = f"{stage}: {message}"
        pytest.fail(self.record["error"], pytrace=False)

    def write(self):
        os.makedirs(CACHE, exist_ok=True)
        with open(os.path.join(CACHE, "results.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(self.record) + "\n")


@pytest.mark.parametrize("opset", zoo.OPSETS)
@pytest.mark.parametrize("model", zoo.MODELS)
def test_zoo(model, opset, tmp_path):
    result = _Result(model, opset)
    try:
        _check(model, opset, tmp_path, result)
        result.record["status"] = "pass"
    finally:
        result.write()


def _check(model, opset, tmp_path, result):
    try:
        files = zoo.export(model, opset, CACHE)
    except Exception as e:  # the PyTorch exporter's own limits are a result too
        result.fail("torch.onnx.export", f"{type(e).__name__}: {str(e).splitlines()[0]}")

    model_so = tmp_path / f"{model}.so"
    start = time.monotonic()
    proc = cli.kilnc(files["onnx"], "-o", model_so, "-O3")
    if proc.returncode != 0:
        result.fail("kilnc", _first_error_line(proc))
    result.record["compile_s"] = round(time.monotonic() - start, 2)

    out_dir = tmp_path / "out"
    proc = cli.kiln_run(model_so, "--input", f"input={files['input']}", "--output-dir", out_dir)
    if proc.returncode != 0:
        result.fail("kiln-run", _first_error_line(proc))

    expected = np.load(files["reference"])
    # A reference that does not depend on the input (e.g. a zero-initialised classifier head)
    # would let any compiled model pass.
    if np.ptp(expected) == 0:
        result.fail("reference", "PyTorch's output is constant, so the comparison checks nothing")
    actual = np.load(out_dir / "output.npy")
    if actual.dtype != np.float32 or actual.shape != expected.shape:
        result.fail("output", f"{actual.dtype}{list(actual.shape)}, expected "
                              f"float32{list(expected.shape)}")
    if not np.isfinite(actual).all():
        result.fail("output", "non-finite values")
    error = max_relative_error(actual, expected)
    result.record["max_relative_error"] = float(f"{error:.3g}")
    if error >= MAX_RELATIVE_ERROR:
        result.fail("mismatch", f"max |kiln - torch| / max |torch| = {error:.3g}")


@pytest.mark.parametrize("model", list(zoo.TORCHVISION))
def test_zoo_symbolic_batch(model, tmp_path):
    """Every torchvision family exported with a symbolic batch (opset 17), compiled once with
    batch 1..4 and run at 3 and 1 through one Module, against PyTorch."""
    import torch
    import kiln
    net, x = zoo.build(model)
    path = tmp_path / f"{model}.onnx"
    torch.onnx.export(net, (x,), str(path), input_names=["x"], output_names=["y"],
                      opset_version=17, dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})
    module = kiln.compile(str(path), dim_ranges={"n": (1, 4)})
    for n in (3, 1):
        batch = torch.randn((n,) + tuple(x.shape[1:]), generator=torch.Generator().manual_seed(n))
        with torch.no_grad():
            expected = net(batch).numpy()
        error = max_relative_error(module.run({"x": batch.numpy()})["y"], expected)
        assert error < MAX_RELATIVE_ERROR, f"{model} at batch {n}: {error:.3g}"
