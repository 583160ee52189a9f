"""ONNX external data: weights in side files next to the model (one file per tensor, or all in
one file at offsets) are read and give the same results as the same model with inline weights;
a location leading out of the model's folder is refused."""

import os

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln


def model_with_weights():
    rng = np.random.default_rng(3)
    w1 = rng.standard_normal((64, 32)).astype(np.float32)
    w2 = rng.standard_normal((32, 16)).astype(np.float32)
    b = rng.standard_normal((16,)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["h"]),
         helper.make_node("Relu", ["h"], ["r"]),
         helper.make_node("MatMul", ["r", "w2"], ["m"]),
         helper.make_node("Add", ["m", "b"], ["y"])],
        "external", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 16])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2"),
         numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model, (w1, w2, b)


@pytest.mark.parametrize("one_file", [False, True], ids=["file_per_tensor", "one_file"])
def test_external_weights_match_numpy(tmp_path, one_file):
    model, (w1, w2, b) = model_with_weights()
    path = str(tmp_path / "model.onnx")
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=one_file,
                    location="weights.bin" if one_file else None, size_threshold=0)
    side_files = set(os.listdir(tmp_path)) - {"model.onnx"}
    assert side_files, "the weights were not written as external data"
    x = np.random.default_rng(4).standard_normal((4, 64)).astype(np.float32)
    y = kiln.compile(path).run({"x": x})["y"]
    np.testing.assert_allclose(y, np.maximum(x @ w1, 0) @ w2 + b, rtol=1e-4, atol=1e-5)


def test_location_outside_the_model_folder_is_refused(tmp_path):
    model, _ = model_with_weights()
    inner = tmp_path / "model"
    inner.mkdir()
    onnx.save_model(model, str(tmp_path / "staging.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    staged = onnx.load(str(tmp_path / "staging.onnx"), load_external_data=False)
    for tensor in staged.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = "../weights.bin"
    onnx.save_model(staged, str(inner / "model.onnx"))
    with pytest.raises(kiln.CompileError, match=r"contains '\.\.'; it must stay inside"):
        kiln.compile(str(inner / "model.onnx"))
