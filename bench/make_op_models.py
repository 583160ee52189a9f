#!/usr/bin/python3
"""Builds the single-operator ONNX models of bench/op_shapes.py (and the square GEMMs of
gemm_bench.py), fp32, opset 17, batch 1.

Usage: /usr/bin/python3 bench/make_op_models.py OUT_DIR [NAME_OR_KIND...]   (default: all ops)
Writes OUT_DIR/NAME.onnx. A file is rewritten only when its bytes would change, so the
compiled .so files and tuning records next to it stay valid across runs.

What is an input and what a constant follows a real model: activations (and both matmul
operands, as numpy's matmul gets them) are graph inputs; convolution weights, norm scales,
biases and statistics are initializers, which the compiler may pre-pack, as oneDNN's timings
(bench/dnnl_ops.cpp) reorder the weights before the clock starts.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import op_shapes  # noqa: E402

OPSET = 17  # LayerNormalization appears in opset 17


def _value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _constant(name, array):
    return numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name)


def _model(name, node, inputs, output_shape, initializers=()):
    graph = helper.make_graph([node], name, [_value(n, s) for n, s in inputs],
                              [_value("Y", output_shape)], list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="kiln-bench")
    onnx.checker.check_model(model)
    return model


def matmul_model(name, a_shape, b_shape):
    """Y = A @ B with both operands graph inputs."""
    out = tuple(a_shape[:-1]) + (b_shape[-1],)
    node = helper.make_node("MatMul", ["A", "B"], ["Y"])
    return _model(name, node, [("A", a_shape), ("B", b_shape)], out)


def _channels_last(model):
    """The convolution model with NHWC input and output: Transposes around the NCHW Conv,
    which Kiln's channels-last pass cancels, leaving the convolution alone (as oneDNN's
    timings take activations in its own layout)."""
    graph = model.graph
    conv = graph.node[0]
    x, y = graph.input[0], graph.output[0]
    n, c, h, w = (dim.dim_value for dim in x.type.tensor_type.shape.dim)
    _, k, oh, ow = (dim.dim_value for dim in y.type.tensor_type.shape.dim)
    nodes = [helper.make_node("Transpose", ["X"], ["X_nchw"], perm=[0, 3, 1, 2]),
             helper.make_node(conv.op_type, ["X_nchw"] + list(conv.input[1:]), ["Y_nchw"]),
             helper.make_node("Transpose", ["Y_nchw"], ["Y"], perm=[0, 2, 3, 1])]
    nodes[1].attribute.extend(conv.attribute)
    new_graph = helper.make_graph(nodes, graph.name, [_value("X", (n, h, w, c))],
                                  [_value("Y", (n, oh, ow, k))], list(graph.initializer))
    out = helper.make_model(new_graph, opset_imports=[helper.make_opsetid("", OPSET)],
                            producer_name="kiln-bench")
    onnx.checker.check_model(out)
    return out


def model_name(op, channels_last=False):
    """The file name (without .onnx) of op's model: convolutions taken channels last get
    their own, so their tuning records stay apart from the NCHW model's."""
    return op.name + ("_nhwc" if channels_last and op.kind in ("c2d", "dep", "t2d") else "")


def op_model(op, channels_last=False):
    """The ONNX model of one op_shapes.Op; weights are seeded random initializers. With
    `channels_last`, convolutions (c2d, dep, t2d) take and give NHWC activations."""
    model = _op_model(op)
    return _channels_last(model) if channels_last and op.kind in ("c2d", "dep", "t2d") else model


def _op_model(op):
    rng = np.random.default_rng(0)
    d = op.dims
    if op.kind == "gmm":
        return matmul_model(op.name, (d["B"], d["M"], d["K"]), (d["B"], d["K"], d["N"]))
    if op.kind in ("c2d", "dep"):
        c, r, s, p = d["C"], d["R"], d["stride"], d["pad"]
        k, group = (c, c) if op.kind == "dep" else (d["K"], 1)
        w = rng.uniform(-1, 1, (k, c // group, r, r))
        oh, ow = (op_shapes.conv_out(d[x], r, s, p) for x in "HW")
        node = helper.make_node("Conv", ["X", "W"], ["Y"], kernel_shape=[r, r], strides=[s, s],
                                pads=[p, p, p, p], group=group)
        return _model(op.name, node, [("X", (1, c, d["H"], d["W"]))], (1, k, oh, ow),
                      [_constant("W", w)])
    if op.kind == "t2d":
        c, k, r, s, p = d["C"], d["K"], d["R"], d["stride"], d["pad"]
        w = rng.uniform(-1, 1, (c, k, r, r))  # ONNX ConvTranspose: (C_in, C_out, kH, kW)
        oh, ow = (op_shapes.deconv_out(d[x], r, s, p) for x in "HW")
        node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], kernel_shape=[r, r],
                                strides=[s, s], pads=[p, p, p, p])
        return _model(op.name, node, [("X", (1, c, d["H"], d["W"]))], (1, k, oh, ow),
                      [_constant("W", w)])
    if op.kind == "ln":
        m, n = d["M"], d["N"]
        node = helper.make_node("LayerNormalization", ["X", "scale", "bias"], ["Y"], axis=-1,
                                epsilon=op_shapes.LN_EPSILON)
        return _model(op.name, node, [("X", (m, n))], (m, n),
                      [_constant("scale", rng.uniform(-1, 1, n)),
                       _constant("bias", rng.uniform(-1, 1, n))])
    if op.kind == "bn":
        c, shape = d["C"], (1, d["C"], d["H"], d["W"])
        node = helper.make_node("BatchNormalization", ["X", "scale", "bias", "mean", "var"],
                                ["Y"], epsilon=op_shapes.BN_EPSILON)
        stats = [_constant("scale", rng.uniform(-1, 1, c)),
                 _constant("bias", rng.uniform(-1, 1, c)),
                 _constant("mean", rng.uniform(-1, 1, c)),
                 _constant("var", rng.uniform(0.5, 2, c))]
        return _model(op.name, node, [("X", shape)], shape, stats)
    raise ValueError(f"unknown op kind '{op.kind}'")


def write_if_changed(model, path):
    """Saves the model unless the file already holds the same bytes; returns the path."""
    data = model.SerializeToString()
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return path
    except OSError:
        pass
    with open(path + ".partial", "wb") as f:
        f.write(data)
    os.replace(path + ".partial", path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("names", nargs="*", help="op names or kinds (default: all)")
    args = parser.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    for op in op_shapes.select(args.names):
        print(write_if_changed(op_model(op), os.path.join(args.out_dir, op.name + ".onnx")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
