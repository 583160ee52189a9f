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


# Depthwise convolutions read their input unpadded, one block per region of equal taps.
def _depthwise_borders():
    # A stride with a dilation; a pad wider than the kernel (the outermost outputs see only
    # padding: the bias alone); a channel multiplier of 2 (32 outputs from 16 channels).
    return nn.Sequential(nn.Conv2d(16, 16, 3, stride=2, padding=(3, 1), dilation=2, groups=16),
                         nn.ReLU6(),
                         nn.Conv2d(16, 32, (1, 3), padding=(0, 4), groups=16)), (1, 16, 13, 10)


# Transposed convolutions run channels last by output phase (ConvTransposeChannelsLast.cpp).
def _deconv2d_dcgan():
    return nn.Sequential(nn.ConvTranspose2d(16, 32, 4, stride=2, padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(32, 8, 4, stride=2, padding=1, bias=False),
                         nn.Tanh()), (1, 16, 5, 5)


def _deconv2d_odd():
    # Unequal strides, output padding, a dilation sharing a factor with the stride (some phases
    # get no tap: only the bias reaches them), and groups.
    return nn.Sequential(nn.ConvTranspose2d(6, 16, (3, 5), stride=(2, 3), padding=(1, 2),
                                            output_padding=(1, 2), dilation=(2, 3), groups=2),
                         nn.ReLU()), (2, 6, 7, 6)


def _deconv1d_sparse():
    # A kernel shorter than the stride: a third of the outputs are the bias alone.
    return nn.Sequential(nn.ConvTranspose1d(8, 12, 2, stride=3, padding=1, output_padding=2),
                         nn.ConvTranspose1d(12, 8, 5, stride=1, padding=3)), (1, 8, 11)


def _deconv3d():
    return nn.ConvTranspose3d(4, 8, 3, stride=2, padding=1, output_padding=1), (1, 4, 3, 4, 5)


MODELS = {"conv1d": _conv1d, "conv3d": _conv3d, "conv2d_asymmetric": _conv2d_asymmetric,
          "depthwise_borders": _depthwise_borders,
          "deconv2d_dcgan": _deconv2d_dcgan, "deconv2d_odd": _deconv2d_odd,
          "deconv1d_sparse": _deconv1d_sparse, "deconv3d": _deconv3d}


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
