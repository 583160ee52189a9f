"""Every element type a model can exchange through the C API, end to end, against numpy: numeric
types through arithmetic, a constant and a Cast; bool through reductions; bfloat16 as raw bits;
and integer division's edge cases (by zero, INT_MIN / -1)."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln

TYPES = {np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8, np.int16: TensorProto.INT16,
         np.uint16: TensorProto.UINT16, np.int32: TensorProto.INT32,
         np.uint32: TensorProto.UINT32, np.int64: TensorProto.INT64,
         np.uint64: TensorProto.UINT64, np.float16: TensorProto.FLOAT16,
         np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}


@pytest.mark.parametrize("dtype", list(TYPES), ids=lambda t: np.dtype(t).name)
def test_add_mul_cast(dtype):
    onnx_type = TYPES[dtype]
    rng = np.random.default_rng(7)
    x = rng.integers(0, 60, size=(3, 5)).astype(dtype)
    c = rng.integers(0, 4, size=(5,)).astype(dtype)
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "c"], ["s"]),
         helper.make_node("Mul", ["s", "x"], ["y"]),
         helper.make_node("Cast", ["y"], ["f"], to=TensorProto.DOUBLE)],
        "dtypes", [helper.make_tensor_value_info("x", onnx_type, [3, 5])],
        [helper.make_tensor_value_info("y", onnx_type, [3, 5]),
         helper.make_tensor_value_info("f", TensorProto.DOUBLE, [3, 5])],
        [numpy_helper.from_array(c, "c")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    m = kiln.compile(model)
    assert m.inputs[0].dtype == np.dtype(dtype)
    got = m.run({"x": x})
    want = (x + c) * x
    assert got["y"].dtype == want.dtype
    np.testing.assert_array_equal(got["y"], want)
    np.testing.assert_array_equal(got["f"], want.astype(np.float64))


def _single(op, x, out_type, out_shape, **attrs):
    graph = helper.make_graph(
        [helper.make_node(op, ["x"], ["y"], **attrs)], "single",
        [helper.make_tensor_value_info("x", TYPES.get(x.dtype.type, TensorProto.BOOL), x.shape)],
        [helper.make_tensor_value_info("y", out_type, out_shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return kiln.compile(model).run({"x": x})["y"]


def test_bool_reductions_order_false_before_true():
    x = np.array([[True, False, True], [True, True, True]])
    np.testing.assert_array_equal(
        _single("ReduceMin", x, TensorProto.BOOL, [2], axes=[1], keepdims=0), [False, True])
    np.testing.assert_array_equal(
        _single("ReduceMax", x, TensorProto.BOOL, [2], axes=[1], keepdims=0), [True, True])
    np.testing.assert_array_equal(_single("Not", x, TensorProto.BOOL, [2, 3]), ~x)


def test_bfloat16_travels_as_raw_bits():
    values = np.array([1.5, -2.0, 0.25], np.float32)
    bits = (values.view(np.uint32) >> 16).astype(np.uint16)
    y = _single("Cast", values, TensorProto.BFLOAT16, [3], to=TensorProto.BFLOAT16)
    assert y.dtype == np.uint16
    np.testing.assert_array_equal(y, bits)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_integer_division_by_zero_gives_zero_instead_of_trapping(dtype):
    graph = helper.make_graph(
        [helper.make_node("Div", ["a", "b"], ["q"]), helper.make_node("Mod", ["a", "b"], ["r"])],
        "div", [helper.make_tensor_value_info(n, TYPES[dtype], [4]) for n in ("a", "b")],
        [helper.make_tensor_value_info(n, TYPES[dtype], [4]) for n in ("q", "r")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    m = kiln.compile(model)
    a = np.array([7, 9, 5, 0], dtype)
    b = np.array([2, 0, 3, 0], dtype)
    got = m.run({"a": a, "b": b})
    np.testing.assert_array_equal(got["q"], [3, 0, 1, 0])
    np.testing.assert_array_equal(got["r"], [1, 0, 2, 0])
    if np.issubdtype(dtype, np.signedinteger):  # INT_MIN / -1 wraps, as numpy does
        low = np.iinfo(dtype).min
        got = m.run({"a": np.array([low, -7, 7, low], dtype), "b": np.array([-1, 2, -2, 1], dtype)})
        np.testing.assert_array_equal(got["q"], [low, -3, -3, low])
        np.testing.assert_array_equal(got["r"], [0, 1, -1, 0])


@pytest.mark.parametrize("op,reference", [("ArgMax", np.argmax), ("ArgMin", np.argmin)])
def test_arg_reductions_pick_the_first_nan_as_numpy(op, reference):
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, -1.0, 5.0, 0.5]], np.float32)
    got = _single(op, x, TensorProto.INT64, [2], axis=1, keepdims=0)
    np.testing.assert_array_equal(got, reference(x, axis=1))
