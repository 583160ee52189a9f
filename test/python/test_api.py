"""kiln.compile and kiln.Module on small models: numerics against numpy and calling conventions."""

import numpy as np
import onnx
import pytest

import kiln
import onnx_models
from conftest import ATOL, RTOL


def test_conv_relu_matches_numpy(compiled, rng):
    module, reference = compiled("conv_relu")
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    y = module(x)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (1, 4, 8, 8)
    np.testing.assert_allclose(y, reference(x), rtol=RTOL, atol=ATOL)


def test_matmul_add_by_name_position_and_keyword(compiled, rng):
    module, reference = compiled("matmul_add")
    a = rng.standard_normal((3, 16)).astype(np.float32)
    b = rng.standard_normal((16, 5)).astype(np.float32)
    expected = reference(a, b)
    out = module.run({"b": b, "a": a})
    assert list(out) == ["y"]
    np.testing.assert_allclose(out["y"], expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(module(a, b), expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(module(a, b=b), expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(module(b=b, a=a), expected, rtol=RTOL, atol=ATOL)


def test_softmax_rows_sum_to_one(compiled, rng):
    module, reference = compiled("softmax")
    x = (rng.standard_normal((2, 10)) * 10).astype(np.float32)
    y = module(x)
    np.testing.assert_allclose(y, reference(x), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(y.sum(axis=-1), 1, rtol=1e-6)


def test_two_outputs_come_back_as_tuple_and_dict_in_model_order(compiled, rng):
    module, reference = compiled("two_outputs")
    x = rng.standard_normal((2, 6)).astype(np.float32)
    relu, sigmoid = module(x)
    expected_relu, expected_sigmoid = reference(x)
    np.testing.assert_allclose(relu, expected_relu, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(sigmoid, expected_sigmoid, rtol=RTOL, atol=ATOL)
    assert list(module.run({"x": x})) == ["relu", "sigmoid"]


def test_inputs_and_outputs_describe_the_model(compiled):
    module, _ = compiled("matmul_add")
    fixed = (None, None)  # no dim is symbolic
    assert module.inputs == (kiln.TensorInfo("a", np.dtype(np.float32), (3, 16), fixed),
                             kiln.TensorInfo("b", np.dtype(np.float32), (16, 5), fixed))
    assert module.outputs == (kiln.TensorInfo("y", np.dtype(np.float32), (3, 5), fixed),)
    assert module.symbols == {}
    assert module.inputs[0].name == "a" and module.inputs[0].shape == (3, 16)


def test_compile_accepts_path_proto_and_bytes(tmp_path, rng):
    model, reference = onnx_models.softmax()
    path = tmp_path / "softmax.onnx"
    onnx.save(model, str(path))
    x = rng.standard_normal((2, 10)).astype(np.float32)
    for source in (str(path), path, model, model.SerializeToString()):
        np.testing.assert_allclose(kiln.compile(source)(x), reference(x), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("opt_level", [0, 1, 2, 3])
def test_every_opt_level_computes_the_same(opt_level, rng):
    model, reference = onnx_models.conv_relu()
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    module = kiln.compile(model, opt_level=opt_level)
    np.testing.assert_allclose(module(x), reference(x), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("conv_layout", [None, "nhwc", "nchw"])
def test_both_conv_layouts_compute_the_same(conv_layout, rng):
    """16 filters: enough for the conv to run channels last unless conv_layout="nchw"."""
    model, reference = onnx_models.conv_relu(filters=16)
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    module = kiln.compile(model, conv_layout=conv_layout)
    np.testing.assert_allclose(module(x), reference(x), rtol=RTOL, atol=ATOL)


def test_an_unknown_conv_layout_is_a_compile_error():
    model, _ = onnx_models.conv_relu(filters=16)
    with pytest.raises(kiln.CompileError, match="nchwc"):
        kiln.compile(model, conv_layout="nchwc")


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (7, 33, 5), (64, 48, 17)])
def test_matmul_random_shapes(m, k, n):
    """Numerical property test: odd sizes exercise the tails of tiled and vectorised loops."""
    rng = np.random.default_rng(m * 10000 + k * 100 + n)
    model, reference = onnx_models.matmul_add(m, k, n, seed=n)
    module = kiln.compile(model)
    for _ in range(3):
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        np.testing.assert_allclose(module(a, b), reference(a, b), rtol=RTOL, atol=1e-5)


def test_non_contiguous_and_list_inputs_are_converted(compiled, rng):
    module, reference = compiled("softmax")
    x = rng.standard_normal((10, 2)).astype(np.float32).T  # a transposed view
    assert not x.flags.c_contiguous
    np.testing.assert_allclose(module(x), reference(x), rtol=RTOL, atol=ATOL)
    rows = [[float(v) for v in row] for row in x]
    np.testing.assert_allclose(module(rows), reference(x), rtol=RTOL, atol=ATOL)


def test_outputs_are_fresh_arrays_and_inputs_untouched(compiled, rng):
    module, _ = compiled("softmax")
    x = rng.standard_normal((2, 10)).astype(np.float32)
    x_copy = x.copy()
    y1, y2 = module(x), module(x)
    assert y1 is not y2 and not np.shares_memory(y1, y2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(x, x_copy)


def test_num_threads_option():
    model, _ = onnx_models.softmax()
    assert kiln.compile(model, num_threads=1).num_threads == 1


def test_thread_affinity_option(tmp_path):
    model, _ = onnx_models.softmax()
    path = str(tmp_path / "softmax.so")
    kiln.compile(model).export(path)
    x = np.arange(20, dtype=np.float32).reshape(2, 10)
    expected = kiln.load(path)(x)
    for affinity in ("none", "spread"):
        module = kiln.load(path, num_threads=2, thread_affinity=affinity)
        assert module.num_threads == 2
        np.testing.assert_array_equal(module(x), expected)
    with pytest.raises(ValueError, match="thread_affinity must be one of auto, none, spread, "
                                         "got 'pinned'"):
        kiln.load(path, thread_affinity="pinned")


@pytest.mark.parametrize("form", ["graph", "loop", "llvm", "asm"])
def test_emit_returns_text(form):
    model, _ = onnx_models.conv_relu()
    text = kiln.emit(model, form)
    assert isinstance(text, str) and text.strip()
