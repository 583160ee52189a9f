"""Symbolic dims stay symbolic: one .so runs every batch size and sequence length in range.

PyTorch models exported with dynamic axes (their shapes flow through Shape/Gather/Concat, a
position table sliced to the sequence length, a bias built from arange) are compiled
once and run at many sizes through one Module, checked against PyTorch at each. Sizes go down
and up on the same context, so a kernel that read the padding a larger run left behind would
fail here. Bad sizes and size dependences Kiln cannot keep symbolic are clear errors."""

import math

import numpy as np
import pytest
import torch
from torch import nn

import cli
import zoo_transformers

torch.manual_seed(0)
D, HEADS, MAXLEN, VOCAB = 32, 4, 24, 50


class Encoder(nn.Module):
    """A transformer block over token ids with an additive key mask and a position bias."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D)
        self.pos = nn.Parameter(torch.randn(1, MAXLEN, D) * 0.1)
        self.qkv, self.out = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.ln = nn.LayerNorm(D)
        self.ff = nn.Sequential(nn.Linear(D, 64), nn.GELU(), nn.Linear(64, D))

    def forward(self, ids, keep):
        b, t = ids.shape
        x = self.emb(ids) + self.pos[:, :t]
        q, k, v = self.qkv(x).split(D, -1)
        heads = lambda z: z.reshape(b, t, HEADS, D // HEADS).transpose(1, 2)  # noqa: E731
        q, k, v = heads(q), heads(k), heads(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(D // HEADS)
        # A bias from arange, not a mask: a mask would hide padded keys from a missing guard.
        earlier = (torch.arange(t)[None, :] <= torch.arange(t)[:, None]).float()
        scores = scores + 0.5 * earlier + (1.0 - keep[:, None, None, :]) * -1e4
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D)
        x = self.ln(x + self.out(y))
        x = x + self.ff(x)
        return x, x[:, 0]


class TinyGpt2(nn.Module):
    """zoo_transformers' GPT-2 shape in small: positions from arange over the run's length and
    the zoo's causal mask (Trilu at opset 17, an index comparison before 14), -inf filled."""

    def __init__(self):
        super().__init__()
        self.words, self.positions = nn.Embedding(VOCAB, D), nn.Embedding(MAXLEN, D)
        self.qkv, self.out, self.norm = nn.Linear(D, 3 * D), nn.Linear(D, D), nn.LayerNorm(D)

    def forward(self, ids):
        b, t = ids.shape
        x = self.words(ids) + self.positions(torch.arange(t).unsqueeze(0))
        q, k, v = (z.reshape(b, t, HEADS, D // HEADS).transpose(1, 2)
                   for z in self.qkv(x).split(D, -1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // HEADS)
        scores = scores.masked_fill(zoo_transformers.causal_mask(scores), float("-inf"))
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D)
        return self.norm(x + self.out(y)) @ self.words.weight.t()


@pytest.mark.parametrize("opset", [13, 17])
def test_gpt2_shaped_decoder_runs_every_length(tmp_path, opset):
    import kiln
    model = TinyGpt2().eval()
    path = tmp_path / "gpt.onnx"
    torch.onnx.export(model, (torch.randint(0, VOCAB, (2, 8)),), str(path), input_names=["ids"],
                      output_names=["logits"], opset_version=opset,
                      dynamic_axes={"ids": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch", 1: "seq"}})
    module = kiln.compile(str(path), dim_ranges={"batch": (1, 2), "seq": (1, MAXLEN)})
    assert module.outputs[0].dim_names == ("batch", "seq", None)
    for b, t in [(2, MAXLEN), (1, 3), (2, 1), (1, 20)]:
        ids = torch.randint(0, VOCAB, (b, t))
        with torch.no_grad():
            check(module.run({"ids": ids.numpy()})["logits"], model(ids), f"{b}x{t}, opset {opset}")


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, stride=2, padding=1),
                                  nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(16, 10))

    def forward(self, x):
        return self.body(x)


def export(model, path, args, names, outputs, axes):
    model.eval()
    torch.onnx.export(model, args, str(path), input_names=names, output_names=outputs,
                      dynamic_axes=axes, opset_version=17)


def encoder_inputs(rng, b, t):
    ids = rng.integers(0, VOCAB, (b, t)).astype(np.int64)
    keep = (rng.random((b, t)) > 0.2).astype(np.float32)
    keep[:, 0] = 1
    return ids, keep


def check(got, want, what):
    want = want.detach().numpy()
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    error = np.abs(got - want).max() / max(np.abs(want).max(), 1e-6)
    assert error < 1e-4, f"{what}: max |kiln - torch| / max |torch| = {error:.3g}"


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("encoder")
    model = Encoder()
    rng = np.random.default_rng(0)
    ids, keep = encoder_inputs(rng, 2, 8)
    export(model, folder / "enc.onnx", (torch.from_numpy(ids), torch.from_numpy(keep)),
           ["ids", "keep"], ["hidden", "first"],
           {"ids": {0: "batch", 1: "seq"}, "keep": {0: "batch", 1: "seq"},
            "hidden": {0: "batch", 1: "seq"}, "first": {0: "batch"}})
    cli.expect_success(cli.kilnc(folder / "enc.onnx", "-o", folder / "enc.so",
                                 "--dim-range", "batch=1:3", "--dim-range", f"seq=1:{MAXLEN}"))
    return model, folder


def test_encoder_runs_every_size_in_range(encoder):
    import kiln
    model, folder = encoder
    module = kiln.load(str(folder / "enc.so"))
    assert module.symbols == {"batch": (1, 3), "seq": (1, MAXLEN)}
    assert module.inputs[0].shape == (-1, -1)
    assert module.inputs[0].dim_names == ("batch", "seq")
    assert module.outputs[1].dim_names == ("batch", None)
    rng = np.random.default_rng(1)
    for b, t in [(3, MAXLEN), (1, 5), (2, 1), (3, 17), (1, MAXLEN), (2, 9)]:
        ids, keep = encoder_inputs(rng, b, t)
        result = module.run({"ids": ids, "keep": keep})
        with torch.no_grad():
            hidden, first = model(torch.from_numpy(ids), torch.from_numpy(keep))
        check(result["hidden"], hidden, f"hidden at batch {b}, seq {t}")
        check(result["first"], first, f"first at batch {b}, seq {t}")


def test_sizes_out_of_range_or_inconsistent_are_errors(encoder):
    import kiln
    _, folder = encoder
    module = kiln.load(str(folder / "enc.so"))
    rng = np.random.default_rng(2)
    ids, keep = encoder_inputs(rng, 1, MAXLEN + 1)
    with pytest.raises(Exception, match=r"input 'ids' dim 1 \('seq'\) is 25, outside .*1\.\.24"):
        module.run({"ids": ids, "keep": keep})
    ids, _ = encoder_inputs(rng, 1, 6)
    _, keep = encoder_inputs(rng, 1, 7)
    with pytest.raises(Exception, match=r"input 'keep' dim 1 \('seq'\) is 7, but input 'ids' "
                                        r"dim 1 sets 'seq' to 6"):
        module.run({"ids": ids, "keep": keep})


def test_kiln_run_reports_symbolic_shapes(encoder):
    _, folder = encoder
    proc = cli.kiln_run(folder / "enc.so", "--info")
    cli.expect_success(proc)
    assert "'ids': int64 batchxseq" in proc.stdout
    assert "'first': float32 batchx32" in proc.stdout
    assert "'seq': 1..24" in proc.stdout
    proc = cli.kiln_run(folder / "enc.so", "--dim", "seq=5", "--dim", "batch=2")
    cli.expect_success(proc)
    assert "output 'hidden': float32 2x5x32" in proc.stdout
    cli.expect_one_line_error(cli.kiln_run(folder / "enc.so", "--dim", "len=5"), "'len'", "'seq'")


def test_cnn_runs_every_batch_size(tmp_path):
    import kiln
    model = SmallCnn()
    export(model, tmp_path / "cnn.onnx", (torch.randn(2, 3, 16, 16),), ["x"], ["y"],
           {"x": {0: "n"}, "y": {0: "n"}})
    cli.expect_success(cli.kilnc(tmp_path / "cnn.onnx", "-o", tmp_path / "cnn.so",
                                 "--dim-range", "n=1:8"))
    module = kiln.load(str(tmp_path / "cnn.so"))
    for n in [8, 1, 5, 2, 8]:
        x = np.random.default_rng(n).standard_normal((n, 3, 16, 16)).astype(np.float32)
        with torch.no_grad():
            check(module.run({"x": x})["y"], model(torch.from_numpy(x)), f"batch {n}")


class MeanOverSeq(nn.Module):
    def forward(self, x):
        return x.mean(1)


class FirstHalf(nn.Module):
    def forward(self, x):
        return x[:, : x.shape[1] // 2] * 2


def test_mean_over_a_symbolic_dim_divides_by_the_run_size(tmp_path):
    """The mean's divisor is a kernel constant that follows the symbol."""
    import kiln
    export(MeanOverSeq(), tmp_path / "mean.onnx", (torch.randn(2, 4, 8),), ["x"], ["y"],
           {"x": {1: "seq"}})
    cli.expect_success(cli.kilnc(tmp_path / "mean.onnx", "-o", tmp_path / "m.so",
                                 "--dim-range", "seq=1:40"))
    module = kiln.load(str(tmp_path / "m.so"))
    for t in [40, 3, 1, 17]:
        x = np.random.default_rng(t).standard_normal((2, t, 8)).astype(np.float32)
        check(module.run({"x": x})["y"], MeanOverSeq()(torch.from_numpy(x)), f"seq {t}")


def test_a_size_dependence_kiln_cannot_keep_symbolic_is_a_clear_error(tmp_path):
    export(FirstHalf(), tmp_path / "half.onnx", (torch.randn(1, 4, 8),), ["x"], ["y"],
           {"x": {1: "seq"}, "y": {1: "half"}})
    line = cli.expect_one_line_error(cli.kilnc(tmp_path / "half.onnx", "-o", tmp_path / "h.so"),
                                     "'seq'", "--input-shape")
    assert "not an increasing affine function" in line or "changes with the symbolic dim" in line
    # Fixing the dim compiles it.
    cli.expect_success(cli.kilnc(tmp_path / "half.onnx", "-o", tmp_path / "h.so",
                                 "--dim-range", "seq=6:6"))


def test_unknown_dim_range_is_an_error(tmp_path):
    export(MeanOverSeq(), tmp_path / "mean.onnx", (torch.randn(1, 4, 8),), ["x"], ["y"],
           {"x": {1: "seq"}})
    cli.expect_one_line_error(cli.kilnc(tmp_path / "mean.onnx", "-o", tmp_path / "m.so",
                                        "--dim-range", "len=1:9"), "'len'", "'seq'")


@pytest.mark.parametrize("name", ["shufflenet_v2_x0_5", "mobilenet_v3_small"])
def test_zoo_model_runs_every_batch_size(tmp_path, name):
    """Real architectures with a symbolic batch: channel shuffle (Shape/Gather/Slice feeding
    reshapes), hard-swish and squeeze-excite."""
    import kiln
    import zoo
    model, x = zoo.build(name)
    path = tmp_path / f"{name}.onnx"
    torch.onnx.export(model, (x,), str(path), input_names=["x"], output_names=["y"],
                      opset_version=17, dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})
    module = kiln.compile(str(path), dim_ranges={"n": (1, 3)})
    for n in (3, 1, 2):
        batch = torch.randn((n,) + tuple(x.shape[1:]), generator=torch.Generator().manual_seed(n))
        with torch.no_grad():
            check(module.run({"x": batch.numpy()})["y"], model(batch), f"{name} batch {n}")


class SequenceFirstEncoder(nn.Module):
    """PyTorch's sequence-first attention merges the batch with the static length before it
    ([T, n, E] -> [T*n, E]): an interleaved symbolic dim (compiler/driver/ProbeLayouts.cpp)."""

    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(D, HEADS, dim_feedforward=64, dropout=0.0)

    def forward(self, x):
        return self.layer(x)


def test_sequence_first_attention_runs_every_batch_size(tmp_path):
    import kiln
    model = SequenceFirstEncoder().eval()
    path = tmp_path / "seqfirst.onnx"
    torch.onnx.export(model, (torch.randn(7, 2, D),), str(path), input_names=["x"],
                      output_names=["y"], opset_version=17,
                      dynamic_axes={"x": {1: "n"}, "y": {1: "n"}})
    module = kiln.compile(str(path), dim_ranges={"n": (1, 4)})
    for n in (4, 1, 3):
        x = torch.randn(7, n, D, generator=torch.Generator().manual_seed(n))
        with torch.no_grad():
            check(module.run({"x": x.numpy()})["y"], model(x), f"batch {n}")


class SumOverMergedRows(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0] * x.shape[1], x.shape[2]).sum(0)


def test_a_reduction_over_an_interleaved_dim_is_a_clear_error(tmp_path):
    export(SumOverMergedRows(), tmp_path / "sum.onnx", (torch.randn(5, 2, 8),), ["x"], ["y"],
           {"x": {1: "n"}})
    line = cli.expect_one_line_error(cli.kilnc(tmp_path / "sum.onnx", "-o", tmp_path / "s.so"),
                                     "interleaved", "--input-shape")
    assert "kernel @" in line


def onnx_model(path, nodes, inputs, outputs, initializers=()):
    from onnx import helper
    graph = helper.make_graph(nodes, "m", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    path.write_bytes(model.SerializeToString())
    return path


def shape_constant(name, values):
    from onnx import numpy_helper
    return numpy_helper.from_array(np.array(values, np.int64), name)


@pytest.mark.parametrize("case", ["swap_by_size", "regroup", "slice_merged", "mixed_layouts"])
def test_reshapes_storage_cannot_alias_are_clear_errors(tmp_path, case):
    """Reshapes whose result would not sit where storage at the maxima puts it: a symbolic dim
    paired with a static one of the same maximum size, a merge regrouped across the symbol, an
    interleaved dim read through an index expression, and one paired with a leading dim."""
    from onnx import TensorProto, helper
    f32 = TensorProto.FLOAT
    r = lambda i, s, o: helper.make_node("Reshape", [i, s], [o])  # noqa: E731
    if case == "swap_by_size":  # [S, 128, 2] -> [128, 2S] with S up to 128
        nodes, x, consts = [r("x", "s", "y")], ["S", 128, 2], [shape_constant("s", [128, -1])]
    elif case == "regroup":  # [2, S] -> [S, 2], softmax, back
        nodes = [r("x", "s", "t"), helper.make_node("Softmax", ["t"], ["u"], axis=-1),
                 r("u", "s2", "y")]
        x, consts = [2, "S"], [shape_constant("s", [-1, 2]), shape_constant("s2", [2, -1])]
    elif case == "slice_merged":  # [4, S, 8] -> [4S, 8] -> rows 1..
        nodes = [r("x", "s", "t"),
                 helper.make_node("Slice", ["t", "b", "e"], ["y"])]
        x = [4, "S", 8]
        consts = [shape_constant("s", [-1, 8]), shape_constant("b", [1]),
                  shape_constant("e", [1 << 30])]
    else:  # [4, S, 8] -> [4S, 8] added to [S, 4, 8] -> [4S, 8]
        nodes = [r("x", "s", "t"), helper.make_node("Transpose", ["x"], ["xt"], perm=[1, 0, 2]),
                 r("xt", "s", "u"), helper.make_node("Add", ["t", "u"], ["y"])]
        x, consts = [4, "S", 8], [shape_constant("s", [-1, 8])]
    path = onnx_model(tmp_path / f"{case}.onnx", nodes, [helper.make_tensor_value_info("x", f32, x)],
                      [helper.make_tensor_value_info("y", f32, None)], consts)
    # From 4: at 2, Reshape's folding gives another graph, an error of its own.
    line = cli.expect_one_line_error(
        cli.kilnc(path, "-o", tmp_path / "m.so", "--dim-range", "S=4:128"), "--input-shape")
    assert "storage at the range maxima" in line or "interleaved" in line, line


def test_every_size_of_a_small_range_is_checked(tmp_path):
    """x[::2] has ceil(S/2) rows, which looks affine on two sizes but not on three."""
    export(EveryOther(), tmp_path / "half.onnx", (torch.randn(3, 4),), ["x"], ["y"],
           {"x": {0: "S"}, "y": {0: "H"}})
    cli.expect_one_line_error(cli.kilnc(tmp_path / "half.onnx", "-o", tmp_path / "h.so",
                                        "--dim-range", "S=1:3"), "'S'")


class EveryOther(nn.Module):
    def forward(self, x):
        return x[::2] * 2


class SumAfterFirst(nn.Module):
    def forward(self, x):
        return x[:, 1:].sum(1)


def test_a_reduction_over_an_empty_run_time_range_gives_its_init(tmp_path):
    import kiln
    export(SumAfterFirst(), tmp_path / "sum.onnx", (torch.randn(2, 5, 8),), ["x"], ["y"],
           {"x": {1: "S"}})
    for level in (0, 3):
        module = kiln.compile(str(tmp_path / "sum.onnx"), opt_level=level,
                              dim_ranges={"S": (1, 16)})
        for t in (16, 1, 4, 1):
            x = np.random.default_rng(t).standard_normal((2, t, 8)).astype(np.float32)
            got = module.run({"x": x})["y"]
            np.testing.assert_allclose(got, x[:, 1:].sum(1), rtol=1e-5, atol=1e-5,
                                       err_msg=f"-O{level}, S={t}")
