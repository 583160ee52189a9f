"""Tiny models for the tuning tests, with numpy references that share no code with Kiln: a
MatMul + Add + Relu (32x64 @ 64x48) and a padded 3x3 Conv + Relu (1x4x12x12, 4 filters: fewer
than 8, so the conv keeps ONNX's layout and the model has exactly two tasks, without the
transposes of a channels-last conv)."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _weights():
    rng = np.random.default_rng(7)
    return {"w": rng.standard_normal((64, 48)).astype(np.float32),
            "b": rng.standard_normal(48).astype(np.float32),
            "cw": rng.standard_normal((4, 4, 3, 3)).astype(np.float32),
            "cb": rng.standard_normal(4).astype(np.float32)}


def _save(path, nodes, inputs, outputs):
    weights = _weights()
    used = {name for node in nodes for name in node.input}
    graph = helper.make_graph(nodes, "tune", inputs, outputs,
                              [numpy_helper.from_array(v, k) for k, v in weights.items()
                               if k in used])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.save(model, str(path))
    return path


def matmul_model(path):
    """y = relu(x @ w + b), x: 32x64."""
    f32 = TensorProto.FLOAT
    return _save(path, [helper.make_node("MatMul", ["x", "w"], ["m"]),
                        helper.make_node("Add", ["m", "b"], ["a"]),
                        helper.make_node("Relu", ["a"], ["y"])],
                 [helper.make_tensor_value_info("x", f32, [32, 64])],
                 [helper.make_tensor_value_info("y", f32, [32, 48])])


def two_task_model(path):
    """The matmul above and z = relu(conv(img, cw, pad 1) + cb), img: 1x4x12x12."""
    f32 = TensorProto.FLOAT
    return _save(path, [helper.make_node("MatMul", ["x", "w"], ["m"]),
                        helper.make_node("Add", ["m", "b"], ["a"]),
                        helper.make_node("Relu", ["a"], ["y"]),
                        helper.make_node("Conv", ["img", "cw", "cb"], ["c"], pads=[1, 1, 1, 1],
                                         kernel_shape=[3, 3]),
                        helper.make_node("Relu", ["c"], ["z"])],
                 [helper.make_tensor_value_info("x", f32, [32, 64]),
                  helper.make_tensor_value_info("img", f32, [1, 4, 12, 12])],
                 [helper.make_tensor_value_info("y", f32, [32, 48]),
                  helper.make_tensor_value_info("z", f32, [1, 4, 12, 12])])


def inputs(seed=3):
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((32, 64)).astype(np.float32),
            "img": rng.standard_normal((1, 4, 12, 12)).astype(np.float32)}


def reference(feeds):
    """The expected outputs, in float64: an explicit sliding-window convolution."""
    w = {k: v.astype(np.float64) for k, v in _weights().items()}
    out = {}
    if "x" in feeds:
        out["y"] = np.maximum(feeds["x"].astype(np.float64) @ w["w"] + w["b"], 0)
    if "img" in feeds:
        padded = np.pad(feeds["img"].astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
        conv = np.zeros((1, 4, 12, 12))
        for r in range(3):
            for s in range(3):
                window = padded[:, :, r:r + 12, s:s + 12]  # N C H W
                conv += np.einsum("nchw,oc->nohw", window, w["cw"][:, :, r, s])
        out["z"] = np.maximum(conv + w["cb"][None, :, None, None], 0)
    return out


def assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)
