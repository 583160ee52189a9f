"""kilnc's intermediate forms, optimization levels and cross-compilation targets on the bundled
example model."""

import os

import numpy as np
import pytest

from cli import expect_one_line_error, expect_success, kiln_run, kilnc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODEL = os.path.join(ROOT, "examples", "tiny_cnn.onnx")
INPUT = os.path.join(ROOT, "examples", "tiny_cnn_input.npy")
EXPECTED = os.path.join(ROOT, "examples", "tiny_cnn_expected.npy")

ELF_MACHINE = {"x86_64-linux-gnu": 62, "aarch64-linux-gnu": 183}


@pytest.mark.parametrize("emit,marker", [
    ("graph", "kg.conv"),             # the fused graph
    ("loop", "kl.block"),             # scheduled loop kernels
    ("llvm", "i32 @kiln_model_entry("),
    ("asm", "kiln_model_entry:"),
])
def test_emit_forms(emit, marker):
    proc = kilnc(MODEL, f"--emit={emit}")
    expect_success(proc)
    assert marker in proc.stdout


def test_loop_form_is_scheduled_only_above_O0():
    o0, o3 = kilnc(MODEL, "--emit=loop", "-O0"), kilnc(MODEL, "--emit=loop", "-O3")
    expect_success(o0)
    expect_success(o3)
    assert " parallel" not in o0.stdout and " vectorized" not in o0.stdout
    assert " parallel" in o3.stdout and " vectorized" in o3.stdout


@pytest.mark.parametrize("level", ["-O0", "-O1", "-O2", "-O3"])
def test_every_opt_level_matches_pytorch(tmp_path, level):
    so = tmp_path / "m.so"
    expect_success(kilnc(MODEL, "-o", so, level))
    expect_success(kiln_run(so, "--input", f"input={INPUT}", "--output-dir", tmp_path))
    got, want = np.load(tmp_path / "probs.npy"), np.load(EXPECTED)
    assert np.abs(got - want).max() / np.abs(want).max() < 1e-4


@pytest.mark.parametrize("layout", ["nhwc", "nchw"])
def test_both_conv_layouts_match_pytorch(tmp_path, layout):
    graph = kilnc(MODEL, "--emit=graph", f"--conv-layout={layout}")
    expect_success(graph)
    assert ("channels_last" in graph.stdout) == (layout == "nhwc")
    so = tmp_path / "m.so"
    expect_success(kilnc(MODEL, "-o", so, f"--conv-layout={layout}"))
    expect_success(kiln_run(so, "--input", f"input={INPUT}", "--output-dir", tmp_path))
    got, want = np.load(tmp_path / "probs.npy"), np.load(EXPECTED)
    assert np.abs(got - want).max() / np.abs(want).max() < 1e-4


def test_an_unknown_conv_layout_is_named():
    expect_one_line_error(kilnc(MODEL, "--emit=graph", "--conv-layout=nchwc"), "nchwc")


@pytest.mark.parametrize("triple", sorted(ELF_MACHINE))
def test_cross_compiled_objects(tmp_path, triple):
    obj = tmp_path / "m.o"
    expect_success(kilnc(MODEL, "-o", obj, "--emit=obj", f"--mtriple={triple}", "--mcpu=generic"))
    header = obj.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == ELF_MACHINE[triple]


def test_cross_target_so_is_refused(tmp_path):
    proc = kilnc(MODEL, "-o", tmp_path / "m.so", "--mtriple=aarch64-linux-gnu")
    assert proc.returncode == 1 and "--emit=obj" in proc.stderr
    assert not (tmp_path / "m.so").exists()
