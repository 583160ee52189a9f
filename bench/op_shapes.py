#!/usr/bin/python3
"""The single-operator shapes benchmarked against oneDNN (bench/dnnl_ops.cpp) and compiled by
kilnc (bench/make_op_models.py): representatives of each class of the Ansor paper's single-op
benchmark (OSDI'20, figure 7), all at batch 1, fp32, NCHW.

One table feeds both sides: `spec_line(op)` is the line dnnl_ops reads on stdin, and
make_op_models builds the same shape as an ONNX model. Running this file prints the table.

Kinds and their fields:
  gmm  batched matmul (B x M x K) @ (B x K x N)
  c2d  convolution: C -> K channels, H x W input, R x R kernel, stride, pad (no bias)
  dep  depthwise convolution (groups = C): C channels, H x W, R x R kernel, stride, pad
  t2d  transposed convolution: C -> K channels, H x W input, R x R kernel, stride, pad
  ln   layer normalization over the last axis of an M x N matrix, with scale and bias
  bn   batch normalization (inference: given mean and variance) of 1 x C x H x W
"""

import sys
from collections import namedtuple

Op = namedtuple("Op", "name kind dims")

# ResNet-50 (torchvision, v1.5) convolutions: the stem, the 3x3 of each stage, a few 1x1.
_C2D = [
    ("c2d_stem_224x3_7x7s2", dict(C=3, K=64, H=224, W=224, R=7, stride=2, pad=3)),
    ("c2d_56x64_3x3", dict(C=64, K=64, H=56, W=56, R=3, stride=1, pad=1)),
    ("c2d_28x128_3x3", dict(C=128, K=128, H=28, W=28, R=3, stride=1, pad=1)),
    ("c2d_14x256_3x3", dict(C=256, K=256, H=14, W=14, R=3, stride=1, pad=1)),
    ("c2d_7x512_3x3", dict(C=512, K=512, H=7, W=7, R=3, stride=1, pad=1)),
    ("c2d_56x64_1x1_to256", dict(C=64, K=256, H=56, W=56, R=1, stride=1, pad=0)),
    ("c2d_56x256_1x1_to64", dict(C=256, K=64, H=56, W=56, R=1, stride=1, pad=0)),
    ("c2d_14x1024_1x1_to256", dict(C=1024, K=256, H=14, W=14, R=1, stride=1, pad=0)),
]

# MobileNetV2 depthwise 3x3 convolutions.
_DEP = [
    ("dep_112x32_s1", dict(C=32, H=112, W=112, R=3, stride=1, pad=1)),
    ("dep_56x144_s2", dict(C=144, H=56, W=56, R=3, stride=2, pad=1)),
    ("dep_28x192_s1", dict(C=192, H=28, W=28, R=3, stride=1, pad=1)),
    ("dep_14x576_s1", dict(C=576, H=14, W=14, R=3, stride=1, pad=1)),
]

# DCGAN generator layers (4x4 kernel, stride 2, pad 1: the spatial size doubles).
_T2D = [
    ("t2d_4x512_to256", dict(C=512, K=256, H=4, W=4, R=4, stride=2, pad=1)),
    ("t2d_8x256_to128", dict(C=256, K=128, H=8, W=8, R=4, stride=2, pad=1)),
    ("t2d_16x128_to64", dict(C=128, K=64, H=16, W=16, R=4, stride=2, pad=1)),
]

_GMM = [
    ("gmm_1x128x128x128", dict(B=1, M=128, N=128, K=128)),
    ("gmm_1x512x512x512", dict(B=1, M=512, N=512, K=512)),
    ("gmm_1x1024x1024x1024", dict(B=1, M=1024, N=1024, K=1024)),
]

_NRM = [
    ("ln_128x768", "ln", dict(M=128, N=768)),
    ("bn_64x56x56", "bn", dict(C=64, H=56, W=56)),
]

OPS = ([Op(n, "gmm", d) for n, d in _GMM] + [Op(n, "c2d", d) for n, d in _C2D]
       + [Op(n, "dep", d) for n, d in _DEP] + [Op(n, "t2d", d) for n, d in _T2D]
       + [Op(n, k, d) for n, k, d in _NRM])

# Field order of each kind on a dnnl_ops input line (after "name kind").
FIELDS = {
    "gmm": ("B", "M", "N", "K"),
    "c2d": ("C", "K", "H", "W", "R", "stride", "pad"),
    "dep": ("C", "H", "W", "R", "stride", "pad"),
    "t2d": ("C", "K", "H", "W", "R", "stride", "pad"),
    "ln": ("M", "N"),
    "bn": ("C", "H", "W"),
}

LN_EPSILON = 1e-5
BN_EPSILON = 1e-5


def conv_out(size, kernel, stride, pad):
    return (size + 2 * pad - kernel) // stride + 1


def deconv_out(size, kernel, stride, pad):
    return (size - 1) * stride - 2 * pad + kernel


def flops(op):
    """Floating-point operations of one run (a multiply-add counts 2), for GFLOP/s."""
    d = op.dims
    if op.kind == "gmm":
        return 2 * d["B"] * d["M"] * d["N"] * d["K"]
    if op.kind == "c2d":
        oh, ow = (conv_out(d[s], d["R"], d["stride"], d["pad"]) for s in "HW")
        return 2 * d["K"] * oh * ow * d["C"] * d["R"] ** 2
    if op.kind == "dep":
        oh, ow = (conv_out(d[s], d["R"], d["stride"], d["pad"]) for s in "HW")
        return 2 * d["C"] * oh * ow * d["R"] ** 2
    if op.kind == "t2d":  # every input pixel scatters a R x R x K patch
        return 2 * d["C"] * d["H"] * d["W"] * d["K"] * d["R"] ** 2
    if op.kind == "ln":
        return 8 * d["M"] * d["N"]  # mean, variance, normalize, scale and shift
    if op.kind == "bn":
        return 2 * d["C"] * d["H"] * d["W"]  # folded to one multiply-add per element
    raise ValueError(op.kind)


def describe(op):
    """The shape column of the report, e.g. '56x56x64 -> 64, 3x3 s1'."""
    d = op.dims
    if op.kind == "gmm":
        return f"{d['B']}x{d['M']}x{d['K']} @ {d['K']}x{d['N']}"
    if op.kind in ("c2d", "t2d"):
        return f"{d['H']}x{d['W']}x{d['C']} -> {d['K']}, {d['R']}x{d['R']} s{d['stride']}"
    if op.kind == "dep":
        return f"{d['H']}x{d['W']}x{d['C']}, {d['R']}x{d['R']} s{d['stride']}"
    if op.kind == "ln":
        return f"{d['M']}x{d['N']} (last axis)"
    return f"1x{d['C']}x{d['H']}x{d['W']} (inference)"


def spec_line(op):
    """'name kind v1 v2 ...' in FIELDS order: one line of dnnl_ops's input."""
    return " ".join([op.name, op.kind] + [str(op.dims[f]) for f in FIELDS[op.kind]])


def select(names=None):
    """The ops whose name or kind is in names (all when names is empty)."""
    if not names:
        return list(OPS)
    chosen = [op for op in OPS if op.name in names or op.kind in names]
    unknown = set(names) - {op.name for op in OPS} - {op.kind for op in OPS}
    if unknown:
        raise SystemExit(f"op_shapes: error: unknown op or kind {', '.join(sorted(unknown))}")
    return chosen


if __name__ == "__main__":
    for op in select(sys.argv[1:]):
        print(f"{op.name:<24}{op.kind:<5}{describe(op):<32}{flops(op) / 1e9:8.3f} GFLOP")
