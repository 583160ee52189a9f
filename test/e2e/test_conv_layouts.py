"""Channels-last convolutions (passes/graph/ChannelsLast.cpp) against PyTorch, next to the same
model kept in ONNX's layout: 1-D and 3-D convolutions, strides, dilations, groups (depthwise
included), asymmetric padding, and activations between convolutions that the layout passes
through."""

import io

import numpy as np
import pytest
import torch
from torch import nn

import kiln


def _conv1d():
    return nn.Sequential(nn.Conv1d(8, 16, 5, stride=2, padding=3, dilation=2), nn.ReLU(),
                         nn.Conv1d(16, 16, 3, padding=1, groups=4)), (1, 8, 37)


def _conv3d():
    return nn.Sequential(nn.Conv3d(4, 16, 3, stride=(1, 2, 2), padding=1), nn.ReLU(),
                         nn.Conv3d(16, 16, 3, padding=1, groups=16)), (1, 4, 6, 9, 9)


def _conv2d_asymmetric():
    return nn.Sequential(nn.ZeroPad2d((1, 0, 2, 1)),
                         nn.Conv2d(3, 24, (3, 5), stride=(2, 1), dilation=(1, 2)), nn.Hardswish(),
                         nn.Conv2d(24, 24, 3, groups=24, padding=1), nn.Sigmoid()), (2, 3, 17, 23)


MODELS = {"conv1d": _conv1d, "conv3d": _conv3d, "conv2d_asymmetric": _conv2d_asymmetric}


@pytest.mark.parametrize("layout", ["nhwc", "nchw"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_conv_layout_matches_pytorch(name, layout):
    torch.manual_seed(0)
    model, shape = MODELS[name]()
    model.eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    onnx_bytes = io.BytesIO()
    torch.onnx.export(model, x, onnx_bytes, opset_version=17)
    with torch.no_grad():
        expected = model(x).numpy()
    module = kiln.compile(onnx_bytes.getvalue(), conv_layout=layout)
    got = module(x.numpy())
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() / np.abs(expected).max() < 1e-4
