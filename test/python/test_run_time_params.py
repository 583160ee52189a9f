"""Shape-determining parameters computed at run time (a graph input feeding Reshape's shape,
Expand's shape, ...): Kiln compiles for the model's declared output shape and checks the
values at run time. Values that mean that shape run; any other value fails with a message
naming the input, never a silently different result."""

import numpy as np
import pytest
from onnx import TensorProto, helper

import kiln

F32, I64 = TensorProto.FLOAT, TensorProto.INT64


def compile_one(op, x_shape, param, out_shape, **attrs):
    graph = helper.make_graph(
        [helper.make_node(op, ["x", "p"], ["y"], name="node", **attrs)], "run_time_param",
        [helper.make_tensor_value_info("x", F32, x_shape),
         helper.make_tensor_value_info("p", I64, [len(param)])],
        [helper.make_tensor_value_info("y", F32, out_shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    return kiln.compile(model)


@pytest.mark.parametrize("shape", [[4, 2, 3], [-1, 2, 3], [0, 2, 3], [4, 2, -1]])
def test_reshape_accepts_every_spelling_of_the_declared_shape(shape):
    m = compile_one("Reshape", [4, 6], shape, [4, 2, 3])
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    y = m.run({"x": x, "p": np.array(shape, np.int64)})["y"]
    np.testing.assert_array_equal(y, x.reshape(4, 2, 3))


@pytest.mark.parametrize("shape", [[2, 4, 3], [-1, -1, 3], [4, 2, 0]])
def test_reshape_to_another_shape_fails_naming_the_input(shape):
    m = compile_one("Reshape", [4, 6], [4, 2, 3], [4, 2, 3])
    x = np.zeros((4, 6), np.float32)
    with pytest.raises(kiln.RuntimeError, match=r"input 'p' \(Reshape shape of node 'node'\)"):
        m.run({"x": x, "p": np.array(shape, np.int64)})
    # The module stays usable after a failed check.
    m.run({"x": x, "p": np.array([4, 2, 3], np.int64)})


def test_expand_checks_its_run_time_shape():
    m = compile_one("Expand", [3, 1], [2, 3, 4], [2, 3, 4])
    x = np.arange(3, dtype=np.float32).reshape(3, 1)
    for ok in ([2, 3, 4], [2, 1, 4]):
        y = m.run({"x": x, "p": np.array(ok, np.int64)})["y"]
        np.testing.assert_array_equal(y, np.broadcast_to(x, (2, 3, 4)))
    with pytest.raises(kiln.RuntimeError, match=r"must hold \[2, 3 or 1, 4\]"):
        m.run({"x": x, "p": np.array([2, 3, 5], np.int64)})


def test_without_a_declared_shape_it_is_a_compile_error():
    with pytest.raises(kiln.CompileError, match=r"declares no static shape for its output"):
        compile_one("Reshape", [4, 6], [4, 2, 3], None)


def test_cumsum_axis_at_run_time_selects_the_axis_and_checks_its_range():
    graph = helper.make_graph(
        [helper.make_node("CumSum", ["x", "axis"], ["y"], name="cumsum")], "cumsum",
        [helper.make_tensor_value_info("x", F32, [2, 3]),
         helper.make_tensor_value_info("axis", I64, [])],
        [helper.make_tensor_value_info("y", F32, [2, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    m = kiln.compile(model)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for axis in (0, 1, -1, -2):
        got = m.run({"x": x, "axis": np.array(axis, np.int64)})["y"]
        np.testing.assert_array_equal(got, np.cumsum(x, axis=axis))
    with pytest.raises(kiln.RuntimeError, match=r"input 'axis' \(CumSum axis of node 'cumsum'\) "
                                                r"must be in \[-2, 1\]"):
        m.run({"x": x, "axis": np.array(2, np.int64)})


def test_range_at_run_time_checks_its_length():
    graph = helper.make_graph(
        [helper.make_node("Range", ["start", "limit", "delta"], ["y"], name="range")], "range",
        [helper.make_tensor_value_info(n, F32, []) for n in ("start", "limit", "delta")],
        [helper.make_tensor_value_info("y", F32, [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    m = kiln.compile(model)
    feed = lambda s, l, d: {"start": np.float32(s), "limit": np.float32(l), "delta": np.float32(d)}
    np.testing.assert_allclose(m.run(feed(1, 3, 0.5))["y"], np.arange(1, 3, 0.5, dtype=np.float32))
    np.testing.assert_allclose(m.run(feed(10, 6, -1))["y"], [10, 9, 8, 7])
    with pytest.raises(kiln.RuntimeError, match=r"must give 4 elements"):
        m.run(feed(0, 5, 1))


def test_unsqueeze_axes_at_run_time_accept_every_set_giving_the_declared_shape():
    m = compile_one("Unsqueeze", [1, 3, 1, 5], [2], [1, 3, 1, 1, 5])
    x = np.arange(15, dtype=np.float32).reshape(1, 3, 1, 5)
    for axes in ([2], [3], [-2], [-3]):
        y = m.run({"x": x, "p": np.array(axes, np.int64)})["y"]
        np.testing.assert_array_equal(y, x.reshape(1, 3, 1, 1, 5))
    with pytest.raises(kiln.RuntimeError, match=r"must hold the axes \[2\] or \[3\] in some order"):
        m.run({"x": x, "p": np.array([0], np.int64)})


def test_squeeze_axes_at_run_time_must_be_distinct():
    m = compile_one("Squeeze", [1, 3, 1], [0, 2], [3])
    x = np.arange(3, dtype=np.float32).reshape(1, 3, 1)
    for axes in ([0, 2], [2, 0], [-1, 0]):
        np.testing.assert_array_equal(m.run({"x": x, "p": np.array(axes, np.int64)})["y"], [0, 1, 2])
    for axes in ([0, 0], [2, -1]):
        with pytest.raises(kiln.RuntimeError, match=r"Squeeze axes of node 'node'"):
            m.run({"x": x, "p": np.array(axes, np.int64)})
