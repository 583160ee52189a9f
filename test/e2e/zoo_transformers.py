"""BERT-base- and GPT-2-shaped transformers for the model zoo, built from torch.nn only
(the transformers package is not installed): 12 layers, hidden 768, 12 heads, sequence 128.

Both take int64 token ids of shape (1, 128). Attention is written out (Linear, matmul,
softmax) rather than nn.MultiheadAttention so that each exports as the plain ONNX ops a real
BERT/GPT-2 export has. GPT-2's causal mask is computed inside the graph (triu or an index
comparison, then masked_fill), not passed in or baked into a constant.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

LAYERS, HIDDEN, HEADS, FF, SEQ = 12, 768, 12, 3072, 128
# The real vocabularies (30522, 50257) only add embedding rows that a 128-token input never
# reads; a smaller table keeps the exported files ~100 MB lighter without changing the graph.
VOCAB = 8192
HEAD_DIM = HIDDEN // HEADS


def _split_heads(t):
    return t.reshape(1, SEQ, HEADS, HEAD_DIM).transpose(1, 2)


def _merge_heads(t):
    return t.transpose(1, 2).reshape(1, SEQ, HIDDEN)


class _SelfAttention(nn.Module):
    def __init__(self, causal):
        super().__init__()
        self.causal = causal
        self.query, self.key, self.value = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
        self.out = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x):
        q, k, v = (_split_heads(proj(x)) for proj in (self.query, self.key, self.value))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(HEAD_DIM)
        if self.causal:
            scores = scores.masked_fill(causal_mask(scores), float("-inf"))
        return self.out(_merge_heads(torch.matmul(torch.softmax(scores, dim=-1), v)))


def causal_mask(scores):
    """True above the diagonal of the last two dims (future positions), computed from the
    scores so that the exporter keeps it in the graph. Trilu exists from opset 14; before it
    the same mask is an index comparison (Range, Unsqueeze, Greater)."""
    length = scores.shape[-1]
    if torch.onnx.is_in_onnx_export() and _export_opset() < 14:
        index = torch.arange(length, device=scores.device)
        return index.unsqueeze(0) > index.unsqueeze(1)
    return torch.triu(torch.ones_like(scores, dtype=torch.bool), diagonal=1)


def _export_opset():
    from torch.onnx import _globals  # torch 1.13: where torch.onnx.export records the opset
    return _globals.GLOBALS.export_onnx_opset_version


class BertLayer(nn.Module):
    """Post-norm encoder layer with exact (erf) GELU, as in BERT."""

    def __init__(self):
        super().__init__()
        self.attention = _SelfAttention(causal=False)
        self.norm1, self.norm2 = nn.LayerNorm(HIDDEN, eps=1e-12), nn.LayerNorm(HIDDEN, eps=1e-12)
        self.ff1, self.ff2 = nn.Linear(HIDDEN, FF), nn.Linear(FF, HIDDEN)

    def forward(self, x):
        x = self.norm1(x + self.attention(x))
        return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))


class Bert(nn.Module):
    """Embeddings (word + position + token type 0, LayerNorm) and 12 encoder layers; returns
    the last hidden states (1, 128, 768)."""

    def __init__(self):
        super().__init__()
        self.words = nn.Embedding(VOCAB, HIDDEN)
        self.positions = nn.Embedding(512, HIDDEN)
        self.token_types = nn.Embedding(2, HIDDEN)
        self.norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.Sequential(*(BertLayer() for _ in range(LAYERS)))
        self.register_buffer("position_ids", torch.arange(SEQ).unsqueeze(0))

    def forward(self, input_ids):
        x = self.words(input_ids) + self.positions(self.position_ids) + self.token_types.weight[0]
        return self.layers(self.norm(x))


class Gpt2Block(nn.Module):
    """Pre-norm decoder block with causal self-attention and tanh-approximated GELU."""

    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(HIDDEN), nn.LayerNorm(HIDDEN)
        self.attention = _SelfAttention(causal=True)
        self.ff1, self.ff2 = nn.Linear(HIDDEN, FF), nn.Linear(FF, HIDDEN)

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.ff2(F.gelu(self.ff1(self.norm2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    """Token + position embeddings, 12 decoder blocks, final LayerNorm and the LM head tied
    to the token embedding; returns logits (1, 128, VOCAB)."""

    def __init__(self):
        super().__init__()
        self.words = nn.Embedding(VOCAB, HIDDEN)
        self.positions = nn.Embedding(1024, HIDDEN)
        self.blocks = nn.Sequential(*(Gpt2Block() for _ in range(LAYERS)))
        self.norm = nn.LayerNorm(HIDDEN)
        self.register_buffer("position_ids", torch.arange(SEQ).unsqueeze(0))

    def forward(self, input_ids):
        x = self.words(input_ids) + self.positions(self.position_ids)
        return torch.matmul(self.norm(self.blocks(x)), self.words.weight.t())


def randomize(module):
    """Distinct random values for every parameter (LayerNorm starts at 1/0 otherwise, and the
    exporter would deduplicate equal initializers), scaled like a trained model's."""
    for name, p in module.named_parameters():
        with torch.no_grad():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)
            elif "norm" in name and name.endswith("weight"):
                p.uniform_(0.5, 1.5)
            else:
                p.uniform_(-0.1, 0.1)
    return module
