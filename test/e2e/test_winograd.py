"""Winograd convolutions (passes/graph/Winograd.cpp, graph_to_loop/WinogradConv.cpp) against
PyTorch: every eligible 3x3 convolution forced to Winograd (--conv-algorithm=winograd), and the
tuner's choice between the direct and Winograd forms, read back from a tuning database."""

import io
import json
import re

import numpy as np
import pytest
import torch
from torch import nn

import cli
import kiln


class _Residual(nn.Module):
    """A ResNet basic block: 3x3 conv, batch norm (folded), ReLU, 3x3 conv, skip, ReLU."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv1(x)))
        return torch.relu(self.conv2(y) + x)


def _residual_14():
    # 14 = 3 whole 4-wide tiles and one 2-wide edge tile along each dim.
    block = _Residual(32)
    with torch.no_grad():  # a batch norm that is not the identity, to fold into the weight
        block.bn.weight.uniform_(0.5, 1.5)
        block.bn.bias.uniform_(-0.5, 0.5)
        block.bn.running_mean.uniform_(-0.2, 0.2)
        block.bn.running_var.uniform_(0.5, 2.0)
    return block, (1, 32, 14, 14)


def _odd_batch2():
    # Asymmetric padding, no bias, 9 x 7 outputs (edge tiles of 1 and 3), batch 2.
    return nn.Sequential(nn.ZeroPad2d((1, 0, 2, 0)), nn.Conv2d(16, 24, 3, bias=False),
                         nn.Sigmoid()), (2, 16, 9, 8)


def _narrow_output():
    # A 3 x 2 output: F(2x2) only.
    return nn.Conv2d(16, 16, 3), (1, 16, 5, 4)


MODELS = {"residual_14": _residual_14, "odd_batch2": _odd_batch2,
          "narrow_output": _narrow_output}


def _export(name):
    torch.manual_seed(0)
    model, shape = MODELS[name]()
    model.eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    onnx_bytes = io.BytesIO()
    torch.onnx.export(model, x, onnx_bytes, opset_version=17)
    with torch.no_grad():
        expected = model(x).numpy()
    return onnx_bytes.getvalue(), x.numpy(), expected


def _relative_error(got, expected):
    assert got.shape == expected.shape
    return np.abs(got - expected).max() / np.abs(expected).max()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_winograd_matches_pytorch(name, tmp_path):
    model, x, expected = _export(name)
    path = tmp_path / "model.onnx"
    path.write_bytes(model)
    graph = cli.kilnc(path, "--emit=graph", "--conv-algorithm=winograd")
    cli.expect_success(graph)
    convs = len(re.findall(r"kg\.conv ", graph.stdout))
    tiles = re.findall(r"kg\.winograd_conv .*tile = (\d)", graph.stdout)
    assert convs == 0 and tiles, "every 3x3 convolution should run by Winograd"
    assert set(tiles) == ({"2"} if name == "narrow_output" else {"4"})
    got = kiln.compile(model, conv_algorithm="winograd")(x)
    # F(4x4, 3x3) loses about two decimal digits of f32 to its transforms' coefficients.
    assert _relative_error(got, expected) < 1e-4


def _records(db):
    with open(db) as f:
        return [json.loads(line) for line in f if line.strip()]


def _with_fastest(db, out, task):
    """A copy of tuning database `db` in which `task`'s records are 1000x faster."""
    records = _records(db)
    assert any(r["task_name"] == task for r in records), task
    with open(out, "w") as f:
        for r in records:
            if r["task_name"] == task:
                r["latencies_sec"] = [t / 1000 for t in r["latencies_sec"]]
            f.write(json.dumps(r) + "\n")
    return out


def _kernels(path, db):
    loops = cli.kilnc(path, "--emit=loop", "--tuning-db", db)
    cli.expect_success(loops)
    return set(re.findall(r"func\.func @(\w+)_kernel\(", loops.stdout))


def test_tuner_chooses_between_direct_and_winograd(tmp_path):
    model, x, expected = _export("residual_14")
    path = tmp_path / "model.onnx"
    path.write_bytes(model)
    db = tmp_path / "db.jsonl"
    proc = cli.kilnc(path, "-o", tmp_path / "tuned.so", "--tune", "--trials", 8, "--tuning-db",
                     db, "--no-progress", "--tune-seed", 1)
    cli.expect_success(proc)
    # Each of the two convolutions is tuned in three forms, each with its default record.
    names = {r["task_name"] for r in _records(db)}
    convs = sorted(n[:-len("_winograd4")] for n in names if n.endswith("_winograd4"))
    assert len(convs) == 2, names
    for conv in convs:
        assert {conv, conv + "_winograd2"} <= names, names

    # The build keeps whichever form has the fastest record, and runs it correctly.
    conv = convs[0]
    for form in (conv + "_winograd4", conv + "_winograd2", conv):
        chosen = _with_fastest(db, tmp_path / f"{form}.jsonl", form)
        kernels = _kernels(path, chosen)
        assert form in kernels, kernels
        assert not {k for k in kernels if k.startswith(conv)} - {form}, kernels
        module = kiln.compile(model, tuning_db=chosen)
        assert _relative_error(module(x), expected) < 1e-4

    # With --conv-algorithm=direct, or without a database, only the direct forms are built.
    direct = cli.kilnc(path, "--emit=loop", "--conv-algorithm=direct", "--tuning-db",
                       tmp_path / f"{conv}_winograd4.jsonl")
    cli.expect_success(direct)
    assert "winograd" not in direct.stdout
    untuned = cli.kilnc(path, "--emit=loop")
    cli.expect_success(untuned)
    assert "winograd" not in untuned.stdout


def test_unknown_conv_algorithm_is_an_error(tmp_path):
    model, _, _ = _export("narrow_output")
    path = tmp_path / "model.onnx"
    path.write_bytes(model)
    cli.expect_one_line_error(cli.kilnc(path, "-o", tmp_path / "m.so", "--conv-algorithm=fft"),
                              "fft")
    with pytest.raises(kiln.CompileError, match="fft"):
        kiln.compile(model, conv_algorithm="fft")


def test_winograd_with_a_symbolic_batch():
    torch.manual_seed(0)
    block = _Residual(32).eval()
    x = torch.randn(3, 32, 12, 12, generator=torch.Generator().manual_seed(1))
    onnx_bytes = io.BytesIO()
    torch.onnx.export(block, x, onnx_bytes, opset_version=17, input_names=["x"],
                      dynamic_axes={"x": {0: "batch"}})
    module = kiln.compile(onnx_bytes.getvalue(), conv_algorithm="winograd",
                          dim_ranges={"batch": (1, 4)})
    for batch in (1, 3):
        with torch.no_grad():
            expected = block(x[:batch]).numpy()
        assert _relative_error(module(x[:batch].numpy()), expected) < 1e-4


def test_symbolic_image_size_keeps_the_direct_form(tmp_path):
    # A Winograd form's tile count, ceil(H / m), cannot follow a symbolic H: with a tuning
    # database (where forms are offered) the model still builds, direct.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(16, 16, 3), nn.ReLU()).eval()
    x = torch.randn(1, 16, 40, 20, generator=torch.Generator().manual_seed(1))
    path = tmp_path / "model.onnx"
    torch.onnx.export(model, x, path, opset_version=17, input_names=["x"],
                      dynamic_axes={"x": {2: "h"}})
    db = tmp_path / "db.jsonl"
    db.write_text("")
    module = kiln.compile(str(path), tuning_db=db, dim_ranges={"h": (32, 64)})
    for height in (33, 40):
        with torch.no_grad():
            expected = model(x[:, :, :height]).numpy()
        assert _relative_error(module(x[:, :, :height].numpy()), expected) < 1e-5
