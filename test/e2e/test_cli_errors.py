"""Bad input at the command line: a non-zero exit, one line naming the culprit, no output left.

kilnc: a truncated .onnx, a text file, a missing file, two unsupported ops at once.
kiln-run: a missing input file, an unknown input name, a wrong input shape, a non-model file.
"""

import os

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import cli

# Ops Kiln does not support (change them if it ever does).
UNSUPPORTED = (("RandomNormalLike", "random_node"), ("Unique", "unique_node"))


def conv_model():
    """x[1,3,16,16] -> Conv(8 filters, 3x3) -> Relu -> y[1,8,16,16], with ~1 KB of weights."""
    w = np.random.default_rng(0).standard_normal((8, 3, 3, 3)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 16, 16])],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model


def unsupported_model():
    (op1, node1), (op2, node2) = UNSUPPORTED
    graph = helper.make_graph(
        [helper.make_node(op1, ["x"], ["h"], name=node1),
         helper.make_node(op2, ["h"], ["y"], name=node2)],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model


def compile_failure(tmp_path, model_path):
    """Runs kilnc into an empty folder; returns its single error line, checking that the folder
    stays empty (no output, no temporaries)."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = cli.kilnc(model_path, "-o", out_dir / "model.so")
    line = cli.expect_one_line_error(proc, os.path.basename(model_path))
    assert proc.returncode == 1
    assert line.startswith("kilnc: error: "), line
    assert os.listdir(out_dir) == [], "kilnc left files behind"
    return line


def test_truncated_model(tmp_path):
    data = conv_model().SerializeToString()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[:len(data) // 2])
    compile_failure(tmp_path, path)


def test_text_file(tmp_path):
    path = tmp_path / "notes.onnx"
    path.write_text("This is a text file, not an ONNX model.\n")
    compile_failure(tmp_path, path)


def test_missing_model_file(tmp_path):
    compile_failure(tmp_path, tmp_path / "absent.onnx")


def test_every_unsupported_op_is_named_at_once(tmp_path):
    path = tmp_path / "unsupported.onnx"
    onnx.save(unsupported_model(), str(path))
    line = compile_failure(tmp_path, path)
    for op, node in UNSUPPORTED:
        assert op in line and node in line, line


@pytest.fixture(scope="module")
def conv_so(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conv")
    onnx.save(conv_model(), str(folder / "conv.onnx"))
    cli.expect_success(cli.kilnc(folder / "conv.onnx", "-o", folder / "conv.so"))
    return folder / "conv.so"


def run_failure(tmp_path, *args, named):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = cli.kiln_run(*args, "--output-dir", out_dir)
    cli.expect_one_line_error(proc, *named)
    assert not [f for f in os.listdir(out_dir) if f.endswith(".npy")], "kiln-run wrote outputs"


def test_kiln_run_missing_input_file(tmp_path, conv_so):
    missing = tmp_path / "missing.npy"
    run_failure(tmp_path, conv_so, "--input", f"x={missing}", named=["missing.npy"])


def test_kiln_run_unknown_input_name(tmp_path, conv_so):
    npy = tmp_path / "x.npy"
    np.save(npy, np.zeros((1, 3, 16, 16), np.float32))
    run_failure(tmp_path, conv_so, "--input", f"nope={npy}", named=["nope"])


def test_kiln_run_wrong_input_shape(tmp_path, conv_so):
    npy = tmp_path / "small.npy"
    np.save(npy, np.zeros((1, 3, 8, 8), np.float32))
    run_failure(tmp_path, conv_so, "--input", f"x={npy}", named=["'x'"])


def test_kiln_run_on_a_file_that_is_not_a_model(tmp_path):
    path = tmp_path / "notes.so"
    path.write_text("not a shared object\n")
    run_failure(tmp_path, path, named=["notes.so"])
