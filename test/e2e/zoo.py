#!/usr/bin/python3
"""The real-architecture zoo: the smallest torchvision model of every classification family,
a BERT-base-shaped encoder and a GPT-2-shaped decoder, exported to ONNX at opsets 13 and 17.

Random weights (torch.manual_seed(0)), eval mode, batch 1; the input comes from a separately
seeded generator. BatchNorm statistics are calibrated on random batches first, as training
would leave them: with the initial ones (mean 0, variance 1) GoogLeNet's signal dies out
(its output is exactly the classifier bias) and Inception-v3's grows to 1e12, and a test
of such a model checks nothing. Models are exported at test time into a cache folder (KILN_ZOO_CACHE, or
BUILD/zoo), never committed; an export is reused while its files are complete and the model
definitions (this file, zoo_transformers.py) are unchanged.

Usage: /usr/bin/python3 test/e2e/zoo.py OUT_DIR [--opset N]... [MODEL...]   (default: all)
Writes OUT_DIR/opsetN/MODEL.onnx, MODEL_input.npy and MODEL_reference.npy.
"""

import argparse
import hashlib
import os
import sys
import warnings

import numpy as np
import torch

import zoo_transformers

OPSETS = (13, 17)
IMAGE = (1, 3, 224, 224)

# Family -> its smallest torchvision 0.14 variant (Inception-v3 wants 299x299).
TORCHVISION = {
    "resnet18": IMAGE,
    "resnext50_32x4d": IMAGE,
    "wide_resnet50_2": IMAGE,
    "mobilenet_v2": IMAGE,
    "mobilenet_v3_small": IMAGE,
    "efficientnet_b0": IMAGE,
    "regnet_y_400mf": IMAGE,
    "densenet121": IMAGE,
    "squeezenet1_1": IMAGE,
    "shufflenet_v2_x0_5": IMAGE,
    "mnasnet0_5": IMAGE,
    "googlenet": IMAGE,
    "inception_v3": (1, 3, 299, 299),
    "vgg11": IMAGE,
    "alexnet": IMAGE,
    "convnext_tiny": IMAGE,
    "vit_b_16": IMAGE,
    "swin_t": IMAGE,
}
TRANSFORMERS = {"bert_base": zoo_transformers.Bert, "gpt2": zoo_transformers.Gpt2}
MODELS = tuple(TORCHVISION) + tuple(TRANSFORMERS)


def build(name):
    """(model in eval mode, its input tensor), the model built after torch.manual_seed(0)."""
    torch.manual_seed(0)
    if name in TORCHVISION:
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
        randomize_zero_weights(model)
        calibrate_batchnorm(model, TORCHVISION[name])
        x = torch.randn(TORCHVISION[name], generator=torch.Generator().manual_seed(1))
    elif name in TRANSFORMERS:
        model = zoo_transformers.randomize(TRANSFORMERS[name]())
        x = torch.randint(0, zoo_transformers.VOCAB, (1, zoo_transformers.SEQ),
                          generator=torch.Generator().manual_seed(1))
    else:
        raise ValueError(f"unknown zoo model '{name}' (choose from {', '.join(MODELS)})")
    return model.eval(), x


def randomize_zero_weights(model):
    """Gives every all-zero weight matrix random values: torchvision initialises some
    classifier heads (ViT's) to zeros, which makes the output the bias whatever the input."""
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() >= 2 and not parameter.any():
                parameter.copy_(0.02 * torch.randn(parameter.shape, generator=generator))


def calibrate_batchnorm(model, shape, batches=4, batch_size=2):
    """Sets every BatchNorm's running mean and variance to the statistics of the activations
    it sees on random inputs (a cumulative average over a few batches)."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None
    generator = torch.Generator().manual_seed(2)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn((batch_size,) + tuple(shape[1:]), generator=generator))


def _definitions_version():
    """A short hash of the files that define the models: an export made by other definitions
    (e.g. before a weight fix) lands in another folder instead of being reused."""
    digest = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for source in ("zoo.py", "zoo_transformers.py"):
        with open(os.path.join(here, source), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


def paths(name, opset, cache):
    folder = os.path.join(cache, _definitions_version(), f"opset{opset}")
    return {kind: os.path.join(folder, f"{name}{suffix}") for kind, suffix in
            (("onnx", ".onnx"), ("input", "_input.npy"), ("reference", "_reference.npy"))}


def export(name, opset, cache):
    """Exports (name, opset) unless the cache already has it. Returns the paths of the model,
    its input and PyTorch's output on that input."""
    files = paths(name, opset, cache)
    if all(os.path.exists(p) for p in files.values()):
        return files
    os.makedirs(os.path.dirname(files["onnx"]), exist_ok=True)
    model, x = build(name)
    partial = files["onnx"] + ".partial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's advice on training mode and the like
        torch.onnx.export(model, x, partial, opset_version=opset, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)
    with torch.no_grad():
        reference = model(x).numpy()
    np.save(files["input"], x.numpy())
    np.save(files["reference"], reference)
    os.replace(partial, files["onnx"])  # last: its presence means the set is complete
    return files


def default_cache():
    build_dir = os.environ.get("KILN_BUILD_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
    return os.environ.get("KILN_ZOO_CACHE") or os.path.join(build_dir, "zoo")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--opset", type=int, action="append", choices=OPSETS)
    args = parser.parse_args(argv)
    for opset in args.opset or OPSETS:
        for name in args.models:
            files = export(name, opset, args.out_dir)
            print(f"{files['onnx']} ({os.path.getsize(files['onnx']) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
