"""Prime extents (ViT-B/16's 197 tokens, Inception's 149): the default schedule tiles such an
axis imperfectly, with a predicated last tile that still vectorizes along the other axis.
Compiled with kilnc, run with kiln-run, compared against numpy."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import cli

MAX_RELATIVE_ERROR = 1e-5


def save(tmp_path, nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, "prime", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    path = tmp_path / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def compile_and_run(tmp_path, path, x):
    model_so = tmp_path / "model.so"
    cli.expect_success(cli.kilnc(path, "-o", model_so, "-O3"))
    np.save(tmp_path / "x.npy", x)
    out_dir = tmp_path / "out"
    cli.expect_success(cli.kiln_run(model_so, "--input", f"x={tmp_path / 'x.npy'}",
                                    "--output-dir", out_dir))
    return np.load(out_dir / "y.npy")


def check(actual, expected):
    assert actual.shape == expected.shape
    error = float(np.abs(actual - expected).max()) / float(np.abs(expected).max())
    assert error < MAX_RELATIVE_ERROR, f"max relative error {error:.3g}"


def test_vit_token_matmul(tmp_path):
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((768, 768)) / 28).astype(np.float32)
    b = rng.standard_normal(768).astype(np.float32)
    x = rng.standard_normal((197, 768)).astype(np.float32)
    path = save(tmp_path, [helper.make_node("MatMul", ["x", "w"], ["t"]),
                           helper.make_node("Add", ["t", "b"], ["y"])],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [197, 768])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [197, 768])],
                [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    check(compile_and_run(tmp_path, path, x), x.astype(np.float64) @ w + b)


def conv_reference(x, w, b, pad):
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    k, _, r, s = w.shape
    out = np.zeros((n, k, h - r + 1, wd - s + 1))
    for i in range(r):
        for j in range(s):
            patch = x[:, :, i:i + h - r + 1, j:j + wd - s + 1]
            out += np.einsum("nchw,kc->nkhw", patch, w[:, :, i, j])
    return out + b.reshape(1, k, 1, 1)


# 149x149 (Inception's stem): the prime axis is the vector axis, which stays scalar; 37
# output channels: the register tile over channels is an imperfect 16, vectorized along x.
@pytest.mark.parametrize("channels,size", [(16, 149), (37, 30)])
def test_prime_conv(tmp_path, channels, size):
    rng = np.random.default_rng(1)
    w = (rng.standard_normal((channels, 3, 3, 3)) / 5).astype(np.float32)
    b = rng.standard_normal(channels).astype(np.float32)
    x = rng.standard_normal((1, 3, size, size)).astype(np.float32)
    path = save(tmp_path, [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3],
                                            pads=[1, 1, 1, 1])],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, size, size])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               [1, channels, size, size])],
                [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    check(compile_and_run(tmp_path, path, x), conv_reference(x, w, b, 1))
