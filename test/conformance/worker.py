"""Runs one ONNX backend test with Kiln and prints its result as one JSON object.

Invoked by run_conformance.py in a process of its own, so that a crash or a hang in the
compiler or in the compiled model costs this test only. Usage:
    worker.py TEST_DIR WORK_DIR KILNC
The result is {"status": "pass" | "fail" | "unsupported" | "n/a", "reason": str, ...}.
"""

import glob
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

import kiln
from not_applicable import not_applicable_reason

# The suite's own tolerances (onnx.backend.test.loader): rtol 1e-3, atol 1e-7.
RTOL = 1e-3
ATOL = 1e-7
COMPILE_TIMEOUT_S = 240


def load_tensor(path):
    """A test_data_set tensor as numpy; bfloat16 comes back as its raw uint16 bits, the form
    Kiln's Python API exchanges bfloat16 in."""
    tensor = onnx.load_tensor(path)
    if tensor.data_type == onnx.TensorProto.BFLOAT16:
        if tensor.raw_data:
            bits = np.frombuffer(tensor.raw_data, dtype=np.uint16)
        else:
            bits = np.array(tensor.int32_data, dtype=np.uint16)
        return bits.reshape(tuple(tensor.dims))
    return numpy_helper.to_array(tensor)


def data_sets(folder):
    def numbered(prefix, data_set):
        paths = glob.glob(os.path.join(data_set, f"{prefix}_*.pb"))
        return [load_tensor(p) for p in
                sorted(paths, key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))]
    for data_set in sorted(glob.glob(os.path.join(folder, "test_data_set_*"))):
        yield os.path.basename(data_set), numbered("input", data_set), numbered("output", data_set)


def bf16_to_float(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def compare(name, got, want, is_bf16):
    """None when got matches want under the suite's rules, else the reason it does not."""
    if got.dtype != want.dtype:
        return f"output '{name}' has dtype {got.dtype}, expected {want.dtype}"
    if got.shape != want.shape:
        return f"output '{name}' has shape {list(got.shape)}, expected {list(want.shape)}"
    if is_bf16:
        got, want = bf16_to_float(got), bf16_to_float(want)
    if want.dtype == np.bool_ or np.issubdtype(want.dtype, np.integer):
        bad = np.count_nonzero(got != want)
        if bad:
            return f"output '{name}': {bad} of {want.size} elements differ"
        return None
    g, w = got.astype(np.float64), want.astype(np.float64)
    nan_ok = np.isnan(g) == np.isnan(w)
    both = ~np.isnan(g) & ~np.isnan(w)
    same_inf = np.where(np.isinf(w) & both, g == w, True)
    err = np.where(both & ~np.isinf(w), np.abs(g - w), 0.0)
    bad = (err > ATOL + RTOL * np.abs(np.where(both & ~np.isinf(w), w, 0.0))) | ~nan_ok | ~same_inf
    if np.any(bad):
        return (f"output '{name}': {np.count_nonzero(bad)} of {want.size} elements differ, "
                f"max abs error {float(err.max()):.3g}")
    return None


def run_test(folder, work, kilnc):
    model_path = os.path.join(folder, "model.onnx")
    if not os.path.exists(model_path):
        return {"status": "n/a", "reason": "model not bundled (the suite downloads it by URL)"}
    model = onnx.load(model_path, load_external_data=False)
    reason = not_applicable_reason(model, os.path.basename(folder))
    if reason:
        return {"status": "n/a", "reason": reason}
    so = os.path.join(work, "model.so")
    try:
        proc = subprocess.run([kilnc, model_path, "-o", so], capture_output=True, text=True,
                              timeout=COMPILE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"status": "fail", "reason": f"kilnc timed out after {COMPILE_TIMEOUT_S} s"}
    if proc.returncode != 0:
        message = " ".join(proc.stderr.split())[:400] or f"kilnc exited with {proc.returncode}"
        status = "unsupported" if "unsupported" in message else "fail"
        return {"status": status, "reason": message}
    module = kiln.load(so)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = {o.name: o.type.tensor_type.elem_type for o in model.graph.output}
    compared = 0
    for data_set, feed, expected in data_sets(folder):
        # A data set with fewer tensors than the graph has inputs or outputs would be compared
        # only in part.
        if len(feed) != len(inputs) or len(expected) != len(outputs):
            return {"status": "fail", "reason": f"{data_set}: {len(feed)} inputs and "
                    f"{len(expected)} outputs for a model with {len(inputs)} and {len(outputs)}"}
        compared += 1
        try:
            got = module.run(dict(zip(inputs, feed)))
        except Exception as e:  # a model's own error is a failed test, not a runner crash
            return {"status": "fail", "reason": f"{data_set}: {type(e).__name__}: {e}"}
        for (name, elem_type), want in zip(outputs.items(), expected):
            problem = compare(name, got[name], want, elem_type == onnx.TensorProto.BFLOAT16)
            if problem:
                return {"status": "fail", "reason": f"{data_set}: {problem}"}
    if not compared:
        return {"status": "fail", "reason": "no test_data_set_* to compare against"}
    return {"status": "pass", "reason": ""}


def main():
    folder, work, kilnc = sys.argv[1:4]
    try:
        result = run_test(folder, work, kilnc)
    except Exception as e:
        result = {"status": "fail", "reason": f"runner error: {type(e).__name__}: {e}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
