"""Every element type a model can exchange through the C API, end to end: an input of the type,
arithmetic in it, a constant of it, and a Cast out of it, against numpy."""

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
