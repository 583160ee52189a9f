"""`kilnc --check`: the preflight lists every unsupported op and shape problem at once, one per
line on stdout, exits 1 when there is one and 0 when the model would compile, and writes no
file either way."""

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import cli


def save(tmp_path, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "check", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid("com.acme", 1)])
    model.ir_version = 7
    path = tmp_path / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def test_every_problem_is_listed(tmp_path):
    f32 = TensorProto.FLOAT
    bad_weight = numpy_helper.from_array(np.zeros((8, 5, 3, 3), np.float32), "w")
    path = save(tmp_path, [
        helper.make_node("Unique", ["square"], ["det"], name="unique_node"),
        helper.make_node("Fancy", ["square"], ["fancy"], name="fancy_node", domain="com.acme"),
        helper.make_node("Reshape", ["square", "shape"], ["reshaped"], name="reshape_node"),
        helper.make_node("Relu", ["reshaped"], ["relu"], name="after_reshape"),
        helper.make_node("Conv", ["image", "w"], ["conv"], name="conv_node"),
        helper.make_node("Relu", ["batch"], ["batch_relu"], name="after_symbolic"),
    ], [helper.make_tensor_value_info("square", f32, [3, 3]),
        helper.make_tensor_value_info("shape", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("image", f32, [1, 3, 8, 8]),
        helper.make_tensor_value_info("batch", f32, ["N", 4])],
       [helper.make_tensor_value_info(n, f32, None)
        for n in ("det", "fancy", "relu", "conv", "batch_relu")], [bad_weight])
    proc = cli.kilnc("--check", path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{path}: 5 problems:", proc.stdout
    problems = "\n".join(lines[1:])
    for expected in ("unsupported ONNX op Unique (node 'unique_node'",
                     "unsupported ONNX op com.acme.Fancy (node 'fancy_node'",
                     "node 'reshape_node' (Reshape, opset 13): Reshape shape (input 'shape') is "
                     "computed at run time",
                     "node 'conv_node' (Conv, opset 13)",
                     "1 more node(s) read the outputs of the nodes above"):
        assert expected in problems, f"missing '{expected}' in:\n{problems}"
    assert list(tmp_path.iterdir()) == [path], "--check wrote a file"


def test_a_supported_model_passes(tmp_path):
    f32 = TensorProto.FLOAT
    path = save(tmp_path, [helper.make_node("Relu", ["x"], ["y"])],
                [helper.make_tensor_value_info("x", f32, [2, 3])],
                [helper.make_tensor_value_info("y", f32, [2, 3])])
    proc = cli.kilnc("--check", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"{path}: ok: every node is supported and every shape is known\n"
    assert list(tmp_path.iterdir()) == [path]


def test_symbolic_dims_are_checked_symbolic_or_specialised(tmp_path):
    f32 = TensorProto.FLOAT
    path = save(tmp_path, [helper.make_node("Relu", ["x"], ["y"])],
                [helper.make_tensor_value_info("x", f32, ["batch", 3])],
                [helper.make_tensor_value_info("y", f32, ["batch", 3])])
    for options in ([], ["--input-shape", "x=4x3"], ["--dim-range", "batch=1:64"]):
        proc = cli.kilnc("--check", path, *options)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = cli.kilnc("--check", path, "--dim-range", "seq=1:64")
    assert proc.returncode == 1 and "'seq'" in proc.stdout and "'batch'" in proc.stdout


def test_python_check_lists_the_same_problems(tmp_path):
    import kiln
    f32 = TensorProto.FLOAT
    path = save(tmp_path, [helper.make_node("Unique", ["x"], ["y"], name="unique_node")],
                [helper.make_tensor_value_info("x", f32, ["n", 3, 3])],
                [helper.make_tensor_value_info("y", f32, None)])
    problems = kiln.check(str(path))
    assert len(problems) == 1, problems
    assert "unsupported ONNX op Unique (node 'unique_node'" in problems[0]
    assert kiln.check(str(path), input_shapes={"x": (2, 3, 3)}) == problems
