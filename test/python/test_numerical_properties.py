"""Numerical property tests: matmul, conv, pooling and reductions on random shapes and
attributes, compiled at -O3 (default schedule) and -O0 (unscheduled loop nests), against an
independent reference (numpy, and PyTorch for convolution and pooling)."""

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

import kiln

CASES = 12  # random cases per op family
RTOL = 1e-4


def _model(nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, "property", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _check(model, feeds, reference, opt_level):
    module = kiln.compile(model, opt_level=opt_level)
    got = module.run(feeds)["y"]
    assert got.shape == reference.shape
    scale = max(np.abs(reference).max(), 1e-6)
    err = np.abs(got - reference).max() / scale
    assert err < RTOL, f"max relative error {err}"


@pytest.mark.parametrize("opt_level", [0, 3])
@pytest.mark.parametrize("seed", range(CASES))
def test_matmul_random_shapes(seed, opt_level):
    rng = np.random.default_rng(seed)
    m, k, n = (int(v) for v in rng.integers(1, 40, size=3))
    batch = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
    # Broadcast: the rhs may drop or keep the batch dims.
    a_shape = batch + [m, k]
    b_shape = ([1] * len(batch) if rng.random() < 0.5 else batch) + [k, n]
    if rng.random() < 0.3:
        b_shape = [k, n]
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    out_shape = np.matmul(a, b).shape
    model = _model([helper.make_node("MatMul", ["a", "b"], ["y"])],
                   [_value("a", a_shape), _value("b", b_shape)], [_value("y", out_shape)])
    _check(model, {"a": a, "b": b}, np.matmul(a, b), opt_level)


@pytest.mark.parametrize("opt_level", [0, 3])
@pytest.mark.parametrize("seed", range(CASES))
def test_conv_random_attributes(seed, opt_level):
    rng = np.random.default_rng(100 + seed)
    group = int(rng.choice([1, 1, 2, 4]))
    cin = group * int(rng.integers(1, 5))
    cout = group * int(rng.integers(1, 5))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = [int(v) for v in rng.integers(1, 3, size=2)]
    dilation = [int(v) for v in rng.integers(1, 3, size=2)]
    pads = [int(v) for v in rng.integers(0, 3, size=4)]
    h, w = (int(v) for v in rng.integers(max(kh, kw) * 2 + 1, 20, size=2))
    x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
    weight = rng.standard_normal((cout, cin // group, kh, kw)).astype(np.float32)
    bias = rng.standard_normal(cout).astype(np.float32)
    padded = torch.nn.functional.pad(torch.from_numpy(x), (pads[1], pads[3], pads[0], pads[2]))
    ref = torch.nn.functional.conv2d(padded, torch.from_numpy(weight), torch.from_numpy(bias),
                                     stride=stride, dilation=dilation, groups=group).numpy()
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], strides=stride, dilations=dilation,
                            pads=pads, group=group)
    model = _model([node], [_value("x", x.shape)], [_value("y", ref.shape)],
                   [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")])
    _check(model, {"x": x}, ref, opt_level)


@pytest.mark.parametrize("opt_level", [0, 3])
@pytest.mark.parametrize("seed", range(CASES))
def test_pool_random_attributes(seed, opt_level):
    rng = np.random.default_rng(200 + seed)
    kind = "MaxPool" if seed % 2 == 0 else "AveragePool"
    k = [int(v) for v in rng.integers(1, 4, size=2)]
    stride = [int(v) for v in rng.integers(1, 3, size=2)]
    pad = [int(rng.integers(0, min(k) // 2 + 1))] * 4
    x = rng.standard_normal((1, 3, int(rng.integers(6, 16)), int(rng.integers(6, 16)))).astype(np.float32)
    tx = torch.from_numpy(x)
    if kind == "MaxPool":
        ref = torch.nn.functional.max_pool2d(tx, k, stride, pad[0]).numpy()
        node = helper.make_node(kind, ["x"], ["y"], kernel_shape=k, strides=stride, pads=pad)
    else:
        ref = torch.nn.functional.avg_pool2d(tx, k, stride, pad[0], count_include_pad=False).numpy()
        node = helper.make_node(kind, ["x"], ["y"], kernel_shape=k, strides=stride, pads=pad,
                                count_include_pad=0)
    model = _model([node], [_value("x", x.shape)], [_value("y", ref.shape)])
    _check(model, {"x": x}, ref, opt_level)


@pytest.mark.parametrize("opt_level", [0, 3])
@pytest.mark.parametrize("seed", range(CASES))
def test_reduce_random_axes(seed, opt_level):
    rng = np.random.default_rng(300 + seed)
    rank = int(rng.integers(1, 5))
    shape = [int(v) for v in rng.integers(1, 9, size=rank)]
    axes = sorted(int(a) for a in rng.choice(rank, size=int(rng.integers(1, rank + 1)), replace=False))
    keepdims = int(rng.integers(0, 2))
    op = "ReduceMean" if seed % 2 else "ReduceSum"
    x = rng.standard_normal(shape).astype(np.float32)
    fn = np.mean if op == "ReduceMean" else np.sum
    ref = fn(x, axis=tuple(axes), keepdims=bool(keepdims)).astype(np.float32)
    if op == "ReduceSum":  # opset 13: axes is an input
        axes_init = numpy_helper.from_array(np.array(axes, np.int64), "axes")
        node = helper.make_node(op, ["x", "axes"], ["y"], keepdims=keepdims)
        inits = [axes_init]
    else:
        node = helper.make_node(op, ["x"], ["y"], axes=axes, keepdims=keepdims)
        inits = []
    model = _model([node], [_value("x", shape)], [_value("y", ref.shape)], inits)
    _check(model, {"x": x}, np.asarray(ref), opt_level)


@pytest.mark.parametrize("opt_level", [0, 3])
@pytest.mark.parametrize("seed", range(CASES))
def test_pointwise_conv_with_epilogue(seed, opt_level):
    """1x1 convolutions with a residual add and relu are lowered on flattened N x C x (H*W)
    buffers; the epilogue operands broadcast in every rank they may come with."""
    rng = np.random.default_rng(400 + seed)
    group = int(rng.choice([1, 2]))
    cin, cout = group * int(rng.integers(1, 9)), group * int(rng.integers(1, 9))
    h, w = (int(v) for v in rng.integers(1, 12, size=2))
    x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
    weight = rng.standard_normal((cout, cin // group, 1, 1)).astype(np.float32)
    bias = rng.standard_normal(cout).astype(np.float32)
    # The residual operand: a full tensor, a per-channel [C, 1, 1], or one that broadcasts
    # along a single spatial dim (which keeps the task off the flattened H*W path).
    shape = [(1, cout, h, w), (cout, 1, 1), (1, cout, h, 1), (1, 1, 1, w)][seed % 4]
    residual = rng.standard_normal(shape).astype(np.float32)
    conv = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(weight),
                                      torch.from_numpy(bias), groups=group).numpy()
    ref = np.maximum(conv + residual, 0)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], group=group),
             helper.make_node("Add", ["c", "r"], ["s"]),
             helper.make_node("Relu", ["s"], ["y"])]
    model = _model(nodes, [_value("x", x.shape), _value("r", residual.shape)],
                   [_value("y", ref.shape)],
                   [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")])
    _check(model, {"x": x, "r": residual}, ref, opt_level)
