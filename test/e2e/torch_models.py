"""PyTorch models the end-to-end tests export to ONNX (opset 13) and compare Kiln against.

Every model is built after torch.manual_seed(0) with random (untrained) weights, in eval mode,
batch 1; inputs come from a separately seeded generator so they do not depend on the model.
"""

import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

OPSET = 13


def resnet18():
    import torchvision
    return torchvision.models.resnet18(weights=None), (1, 3, 224, 224)


def mobilenet_v2():
    import torchvision
    return torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)


D_MODEL, HEADS, FF, LAYERS, SEQ = 64, 4, 128, 2, 16


def _randomize(module):
    # nn.TransformerEncoder deep-copies one layer, and LayerNorm starts at 1/0: without this the
    # exporter deduplicates equal initializers into Identity nodes and the test would not tell
    # the layers apart.
    for name, p in module.named_parameters():
        with torch.no_grad():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            elif "norm" in name and name.endswith("weight"):
                p.uniform_(0.5, 1.5)
            else:
                p.uniform_(-0.1, 0.1)


def transformer_encoder():
    """torch.nn.TransformerEncoder: d_model 64, 4 heads, 2 layers, GELU, batch_first."""
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=FF, dropout=0.0,
                                       activation="gelu", batch_first=True)
    model = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
    _randomize(model)
    return model, (1, SEQ, D_MODEL)


class _EncoderLayer(nn.Module):
    """Post-norm encoder layer written out with Linear, softmax attention, LayerNorm and exact
    (erf) GELU; static shapes keep the exported graph free of Shape/Gather arithmetic."""

    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(D_MODEL, D_MODEL) for _ in range(3))
        self.out = nn.Linear(D_MODEL, D_MODEL)
        self.norm1, self.norm2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.ff1, self.ff2 = nn.Linear(D_MODEL, FF), nn.Linear(FF, D_MODEL)

    def _heads(self, t):
        return t.reshape(1, SEQ, HEADS, D_MODEL // HEADS).transpose(1, 2)

    def forward(self, x):
        q, k, v = self._heads(self.q(x)), self._heads(self.k(x)), self._heads(self.v(x))
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(D_MODEL // HEADS)
        attended = torch.matmul(torch.softmax(scores, dim=-1), v)
        attended = attended.transpose(1, 2).reshape(1, SEQ, D_MODEL)
        x = self.norm1(x + self.out(attended))
        return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))


def handwritten_encoder():
    """The same shape of encoder as transformer_encoder, without nn.MultiheadAttention."""
    model = nn.Sequential(*(_EncoderLayer() for _ in range(LAYERS)))
    _randomize(model)
    return model, (1, SEQ, D_MODEL)


MODELS = {f.__name__: f for f in (resnet18, mobilenet_v2, transformer_encoder,
                                  handwritten_encoder)}


def export(name, folder):
    """Exports MODELS[name] to folder/NAME.onnx and its input to folder/NAME_input.npy.

    Returns (onnx path, {input name: npy path}, {output name: PyTorch's output})."""
    torch.manual_seed(0)
    model, shape = MODELS[name]()
    model.eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    onnx_path = os.path.join(folder, f"{name}.onnx")
    input_path = os.path.join(folder, f"{name}_input.npy")
    # Gradients stay enabled for both the export and the reference: under no_grad, torch 1.13
    # runs nn.TransformerEncoderLayer through a fused fast path that ONNX cannot express.
    torch.onnx.export(model, x, onnx_path, opset_version=OPSET, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    reference = model(x).detach().numpy()
    np.save(input_path, x.numpy())
    return onnx_path, {"input": input_path}, {"output": reference}
