#!/usr/bin/python3
"""Exports the benchmark models (torchvision, random weights, batch 1, 224x224, opset 13).

Usage: /usr/bin/python3 bench/export_models.py OUT_DIR [MODEL...]   (default: all of MODELS)
Writes OUT_DIR/MODEL.onnx and OUT_DIR/MODEL_input.npy; existing files are kept (--force
rewrites them). Latency does not depend on the weights, so none are downloaded.
Any model of the zoo (test/e2e/zoo.py, ZOO_MODELS) is accepted too, with the zoo's input.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "e2e"))
import zoo  # noqa: E402

MODELS = ("resnet18", "resnet50", "mobilenet_v2")
ZOO_MODELS = zoo.MODELS
KNOWN = tuple(dict.fromkeys(MODELS + ZOO_MODELS))
INPUT_SHAPE = (1, 3, 224, 224)
OPSET = 13


def build(name):
    """The model in eval mode, built after torch.manual_seed(0), and its input."""
    if name not in KNOWN:
        raise SystemExit(f"export_models: error: unknown model '{name}' "
                         f"(choose from {', '.join(KNOWN)})")
    if name not in MODELS:
        return zoo.build(name)
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(INPUT_SHAPE, generator=torch.Generator().manual_seed(1))
    return model, x


def export(name, out_dir, force=False, opset=OPSET):
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    input_path = os.path.join(out_dir, f"{name}_input.npy")
    if not force and os.path.exists(onnx_path) and os.path.exists(input_path):
        return onnx_path
    model, x = build(name)
    tmp = onnx_path + ".partial"
    torch.onnx.export(model, x, tmp, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    os.replace(tmp, onnx_path)
    np.save(input_path, x.numpy())
    return onnx_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--force", action="store_true", help="re-export existing models")
    parser.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset (default {OPSET})")
    args = parser.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models:
        path = export(name, args.out_dir, args.force, args.opset)
        print(f"{path} ({os.path.getsize(path) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
