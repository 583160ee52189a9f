"""Compile-time weight layouts: the default schedule lays a matmul's constant weight out in
vector panels (layout_rewrite) and codegen runs that copy at compile time. Checked end to end:
the result matches numpy, the copy is gone from the run (one kernel stage, not a copy stage
before it), and the model does not carry the weight twice."""

import os
import re
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import cli

K, N = 512, 1024  # a 2 MiB weight


def save(path, weight_is_constant, w, b):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, K])]
    initializers = [numpy_helper.from_array(b, "b")]
    if weight_is_constant:
        initializers.append(numpy_helper.from_array(w, "w"))
    else:
        inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [K, N]))
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["t"]), helper.make_node("Add", ["t", "b"], ["y"])],
        "weight_layout", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, N])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    path.write_bytes(model.SerializeToString())


def run_and_check(so, tmp_path, inputs, w, b):
    """Runs `so` on `inputs` (name -> array) with KILN_PROFILE set, checks y = x @ w + b
    against numpy and returns the profile's stage lines."""
    args = []
    for name, value in inputs.items():
        np.save(tmp_path / f"{name}.npy", value)
        args += ["--input", f"{name}={tmp_path / (name + '.npy')}"]
    run = cli.kiln_run(so, *args, "--output-dir", tmp_path / "out")
    cli.expect_success(run)
    y = np.load(tmp_path / "out" / "y.npy")
    expected = inputs["x"].astype(np.float64) @ w + b
    error = float(np.abs(y - expected).max() / np.abs(expected).max())
    assert error < 1e-5, f"max relative error {error:.3g}"
    return [line for line in run.stderr.splitlines() if line.startswith("kiln-profile: stage")]


def stage_kernel(line, so):
    """The kernel a profile line's stage belongs to: its task, named as file+offset, is the
    symbol <kernel>_kernel_s<k>_task of the .so (what bench/layer_profile.py reads)."""
    match = re.search(r" task (.+)\+0x([0-9a-f]+)$", line)
    assert match and os.path.samefile(match.group(1), so), line
    listing = subprocess.run(["llvm-nm-19", "--defined-only", str(so)], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
    symbols = {int(f[0], 16): f[2] for f in map(str.split, listing.splitlines()) if len(f) == 3}
    name = re.fullmatch(r"(\w+)_kernel_s\d+_task", symbols.get(int(match.group(2), 16), ""))
    assert name, f"{line}: no stage task at that offset"
    return name.group(1)


def test_constant_weight_is_laid_out_at_compile_time(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((K, N)) / 16).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    x = rng.standard_normal((64, K)).astype(np.float32)
    constant, inputs = tmp_path / "constant.onnx", tmp_path / "inputs.onnx"
    save(constant, True, w, b)
    save(inputs, False, w, b)
    for model in (constant, inputs):
        cli.expect_success(cli.kilnc(model, "-o", model.with_suffix(".so"), "-O3"))
    # The loop IR holds the layout copy; the compiled model no longer does.
    loop_ir = cli.kilnc(constant, "--emit=loop", "-O3")
    cli.expect_success(loop_ir)
    assert "matmul.layout" in loop_ir.stdout

    monkeypatch.setenv("KILN_PROFILE", "1")
    stages = run_and_check(constant.with_suffix(".so"), tmp_path, {"x": x}, w, b)
    assert len(stages) == 1, "the layout copy still runs:\n" + "\n".join(stages)
    assert stage_kernel(stages[0], constant.with_suffix(".so")).startswith("fused_matmul")

    # The blocked weight replaces the original: the constant model is larger than the one
    # taking the weight as an input by about one copy of it, not two.
    extra = os.path.getsize(constant.with_suffix(".so")) - os.path.getsize(inputs.with_suffix(".so"))
    assert 0.9 * w.nbytes < extra < 1.5 * w.nbytes, f"{extra} extra bytes for a {w.nbytes}-byte weight"


def test_large_input_operand_is_laid_out_once_per_call(tmp_path, monkeypatch):
    """B of a GEMM given at run time (2 MiB) is laid out in panels by a copy stage that runs
    before the matmul on every call, and the result still matches numpy."""
    rng = np.random.default_rng(1)
    w = (rng.standard_normal((K, N)) / 16).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    x = rng.standard_normal((64, K)).astype(np.float32)
    model = tmp_path / "inputs.onnx"
    save(model, False, w, b)
    loop_ir = cli.kilnc(model, "--emit=loop", "-O3")
    cli.expect_success(loop_ir)
    # The copy's own loop nest runs in parallel (the matmul's would pass a looser check).
    assert re.search(r'"matmul\.layout[^"]*" in \d+ parallel', loop_ir.stdout), loop_ir.stdout
    cli.expect_success(cli.kilnc(model, "-o", tmp_path / "inputs.so", "-O3"))
    monkeypatch.setenv("KILN_PROFILE", "1")
    stages = run_and_check(tmp_path / "inputs.so", tmp_path, {"x": x, "w": w}, w, b)
    assert len(stages) == 2, "expected the copy stage and the matmul:\n" + "\n".join(stages)
