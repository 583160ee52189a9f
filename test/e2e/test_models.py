"""End to end: PyTorch model -> ONNX -> kilnc -> kiln-run, compared against PyTorch.

Metric: max |kiln - torch| / max |torch| over all output elements must stay under 1e-4. It is
the worst element error relative to the scale of the output, so it neither blows up on
elements near zero (as an element-wise relative error would) nor depends on the output's
magnitude (untrained MobileNetV2's logits are ~1e-9).
"""

import numpy as np
import pytest

import cli
import torch_models

MAX_RELATIVE_ERROR = 1e-4


def max_relative_error(actual, expected):
    scale = float(np.abs(expected).max())
    return float(np.abs(actual.astype(np.float64) - expected).max()) / (scale or 1.0)


@pytest.mark.parametrize("name", list(torch_models.MODELS))
def test_matches_pytorch(name, tmp_path):
    onnx_path, inputs, references = torch_models.export(name, str(tmp_path))
    model_so = tmp_path / f"{name}.so"
    cli.expect_success(cli.kilnc(onnx_path, "-o", model_so, "-O3"))

    out_dir = tmp_path / "out"
    args = [model_so, "--output-dir", out_dir]
    for input_name, npy in inputs.items():
        args += ["--input", f"{input_name}={npy}"]
    cli.expect_success(cli.kiln_run(*args))

    for output_name, expected in references.items():
        actual = np.load(out_dir / f"{output_name}.npy")
        assert actual.dtype == np.float32
        assert actual.shape == expected.shape
        assert np.isfinite(actual).all()
        error = max_relative_error(actual, expected)
        print(f"{name}/{output_name}: max relative error {error:.3g}")
        assert error < MAX_RELATIVE_ERROR, (
            f"{name}/{output_name}: max |kiln - torch| / max |torch| = {error:.3g}")


@pytest.mark.parametrize("name", ["transformer_encoder", "handwritten_encoder"])
def test_written_out_layer_norms_become_one_op(name, tmp_path):
    """Opset 13 spells LayerNorm as means, a subtraction, a square root and a division; each
    becomes one kg.layer_norm (one row-wise kernel rather than five), and the model still
    matches PyTorch (test_matches_pytorch)."""
    onnx_path, _, _ = torch_models.export(name, str(tmp_path))
    graph = tmp_path / "graph.mlir"
    cli.expect_success(cli.kilnc(onnx_path, "--emit=graph", "-o", graph))
    text = graph.read_text()
    assert text.count("kg.layer_norm") == 4, text
    assert "kg.reduce_mean" not in text and "kg.sqrt" not in text
