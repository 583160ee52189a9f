"""Graph outputs that are not computed in place: a graph input, a constant, one value returned
under two names, and a reshape of another output. The executor copies or aliases them."""

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import kiln


def test_outputs_that_alias_inputs_constants_and_each_other():
    value = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
    constant = np.arange(6, dtype=np.float32).reshape(2, 3)
    nodes = [helper.make_node("Identity", ["x"], ["same"]),
             helper.make_node("Identity", ["c"], ["const"]),
             helper.make_node("Relu", ["x"], ["r"]),
             helper.make_node("Reshape", ["r", "shape"], ["r2"]),
             helper.make_node("Identity", ["r"], ["r_again"])]
    graph = helper.make_graph(
        nodes, "aliasing", [value("x", [2, 3])],
        [value("same", [2, 3]), value("const", [2, 3]), value("r", [2, 3]), value("r2", [3, 2]),
         value("r_again", [2, 3])],
        [numpy_helper.from_array(constant, "c"),
         numpy_helper.from_array(np.array([3, 2], np.int64), "shape")])
    module = kiln.compile(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    out = module.run({"x": x})
    relu = np.maximum(x, 0)
    np.testing.assert_array_equal(out["same"], x)
    np.testing.assert_array_equal(out["const"], constant)
    np.testing.assert_array_equal(out["r"], relu)
    np.testing.assert_array_equal(out["r2"], relu.reshape(3, 2))
    np.testing.assert_array_equal(out["r_again"], relu)
