#!/usr/bin/python3
"""Generates the bundled demo model examples/tiny_cnn.onnx, its input and PyTorch's output for it.

Usage: /usr/bin/python3 examples/make_tiny_cnn.py [OUT.onnx]   (default: examples/tiny_cnn.onnx)

Writes OUT.onnx plus, beside it, OUT_input.npy (a deterministic 1x3x32x32 float32 input) and
OUT_expected.npy (PyTorch's "probs" for that input), which scripts/demo.sh compares against.
The weights are random (seeded) rather than trained: the demo shows the pipeline, not accuracy.
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

SEED = 0
NUM_CLASSES = 10
INPUT_SHAPE = (1, 3, 32, 32)
OPSET = 13


def conv_bn(cin, cout, kernel, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout)]


class TinyCNN(nn.Module):
    """A few of every op family Kiln fuses: conv+BN+ReLU, strided and grouped convs, a residual
    Add, MaxPool, GlobalAveragePool, Flatten, Gemm and Softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(3, 16, 3), nn.ReLU())                  # 32x32
        self.down = nn.Sequential(*conv_bn(16, 32, 3, stride=2), nn.ReLU())       # 16x16
        self.block = nn.Sequential(*conv_bn(32, 32, 3, groups=8), nn.ReLU(),
                                   *conv_bn(32, 32, 1))
        self.pool = nn.MaxPool2d(2)                                               # 8x8
        self.head = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.ReLU())
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, NUM_CLASSES)

    def forward(self, x):
        x = self.down(self.stem(x))
        x = torch.relu(x + self.block(x))
        x = self.head(self.pool(x))
        x = torch.flatten(self.gap(x), 1)
        return torch.softmax(self.fc(x), dim=1)


def build_model():
    torch.manual_seed(SEED)
    model = TinyCNN()
    # Non-trivial running statistics, so folding BN into the conv actually changes the weights.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return model.eval()


def make_input():
    return np.random.default_rng(SEED).standard_normal(INPUT_SHAPE).astype(np.float32)


def export(model, path):
    # PRESERVE (with the model in eval mode) keeps BatchNormalization nodes in the graph; the
    # default EVAL export would fold them into the convs, leaving Kiln's own folding untested.
    # Constant folding stays off because it does not combine with PRESERVE.
    torch.onnx.export(model, torch.from_numpy(make_input()), path, opset_version=OPSET,
                      input_names=["input"], output_names=["probs"],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    ops = sorted({n.op_type for n in proto.graph.node})
    return ops


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=os.path.join(here, "tiny_cnn.onnx"))
    args = parser.parse_args(argv)

    stem = os.path.splitext(args.output)[0]
    model = build_model()
    ops = export(model, args.output)
    x = make_input()
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.save(stem + "_input.npy", x)
    np.save(stem + "_expected.npy", expected)
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes; ops: {', '.join(ops)})")
    print(f"wrote {stem}_input.npy and {stem}_expected.npy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
