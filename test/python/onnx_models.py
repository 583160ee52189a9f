"""Small ONNX models built with onnx.helper, each with a float64 numpy reference."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def _model(nodes, inputs, outputs, initializers=(), name="test"):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
        [numpy_helper.from_array(a, n) for n, a in initializers])
    model = helper.make_model(graph, producer_name="kiln-tests",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7  # what opset 13 exporters write
    onnx.checker.check_model(model, full_check=True)
    return model


def _rng(seed):
    return np.random.default_rng(seed)


def conv2d_ref(x, w, b, pad):
    """Direct NCHW convolution, stride 1, in float64."""
    kh, kw = w.shape[2:]
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = xp.shape[2] - kh + 1, xp.shape[3] - kw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,oc->nohw", xp[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    return out + b.reshape(1, -1, 1, 1)


def softmax_ref(x, axis=-1):
    e = np.exp(x.astype(np.float64) - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def conv_relu(filters=4):
    """x[1,3,8,8] -> Conv(4 filters, 3x3, pad 1) -> Relu -> y[1,4,8,8] (or `filters`)."""
    w = _rng(1).standard_normal((filters, 3, 3, 3)).astype(np.float32)
    b = _rng(2).standard_normal(filters).astype(np.float32)
    model = _model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [("x", [1, 3, 8, 8])], [("y", [1, filters, 8, 8])], [("w", w), ("b", b)], "conv_relu")
    return model, lambda x: np.maximum(conv2d_ref(x, w, b, 1), 0)


def matmul_add(m=3, k=16, n=5, seed=3):
    """Two inputs: a[m,k] @ b[k,n] + bias[n] -> y[m,n]."""
    bias = _rng(seed).standard_normal(n).astype(np.float32)
    model = _model(
        [helper.make_node("MatMul", ["a", "b"], ["ab"], name="matmul"),
         helper.make_node("Add", ["ab", "bias"], ["y"], name="add")],
        [("a", [m, k]), ("b", [k, n])], [("y", [m, n])], [("bias", bias)], "matmul_add")
    return model, lambda a, b: a.astype(np.float64) @ b.astype(np.float64) + bias


def softmax():
    """x[2,10] -> Softmax(axis=-1) -> y."""
    model = _model([helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=-1)],
                   [("x", [2, 10])], [("y", [2, 10])], name="softmax")
    return model, softmax_ref


def two_outputs():
    """x[2,6] -> (Relu -> "relu", Sigmoid -> "sigmoid")."""
    model = _model(
        [helper.make_node("Relu", ["x"], ["relu"], name="relu"),
         helper.make_node("Sigmoid", ["x"], ["sigmoid"], name="sigmoid")],
        [("x", [2, 6])], [("relu", [2, 6]), ("sigmoid", [2, 6])], name="two_outputs")
    return model, lambda x: (np.maximum(x, 0), 1 / (1 + np.exp(-x.astype(np.float64))))


# Ops Kiln does not support (change them if it ever does): the compiler must name both at once.
UNSUPPORTED = (("RandomNormalLike", "random_node"), ("Unique", "unique_node"))


def unsupported_ops():
    """x[1,4,4] -> RandomNormalLike -> Unique -> y[1]: two unsupported ops in one model."""
    (op1, node1), (op2, node2) = UNSUPPORTED
    return _model(
        [helper.make_node(op1, ["x"], ["h"], name=node1),
         helper.make_node(op2, ["h"], ["y"], name=node2)],
        [("x", [1, 4, 4])], [("y", [1])], name="unsupported")
