"""Module.export / kiln.load: round trips, loading a model twice, replacing an exported file."""

import gc
import os

import numpy as np
import pytest

import kiln
import onnx_models
from conftest import ATOL, RTOL


def test_export_then_load_round_trip(tmp_path, rng):
    model, reference = onnx_models.conv_relu()
    compiled = kiln.compile(model)
    path = tmp_path / "conv_relu.so"
    compiled.export(path)
    assert path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["conv_relu.so"]  # no temporaries left

    loaded = kiln.load(path)
    assert loaded.inputs == compiled.inputs and loaded.outputs == compiled.outputs
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(loaded(x), compiled(x))
    np.testing.assert_allclose(loaded(x), reference(x), rtol=RTOL, atol=ATOL)


def test_export_outlives_the_compiled_module(tmp_path, rng):
    model, reference = onnx_models.softmax()
    module = kiln.compile(model)
    temporary = module.path
    module.export(tmp_path / "softmax.so")
    del module
    gc.collect()
    assert not os.path.exists(temporary)  # kiln.compile cleans up after itself
    x = rng.standard_normal((2, 10)).astype(np.float32)
    np.testing.assert_allclose(kiln.load(tmp_path / "softmax.so")(x), reference(x),
                               rtol=RTOL, atol=ATOL)


def test_loading_the_same_model_twice_gives_independent_modules(tmp_path, rng):
    model, reference = onnx_models.matmul_add()
    kiln.compile(model).export(tmp_path / "mm.so")
    first, second = kiln.load(tmp_path / "mm.so"), kiln.load(tmp_path / "mm.so")
    a = rng.standard_normal((3, 16)).astype(np.float32)
    b = rng.standard_normal((16, 5)).astype(np.float32)
    np.testing.assert_allclose(first(a, b), reference(a, b), rtol=RTOL, atol=ATOL)
    first.close()  # the other Module keeps its own context
    np.testing.assert_allclose(second(a, b), reference(a, b), rtol=RTOL, atol=ATOL)


def test_two_different_models_coexist(tmp_path, rng):
    softmax, softmax_ref = onnx_models.softmax()
    conv, conv_ref = onnx_models.conv_relu()
    kiln.compile(softmax).export(tmp_path / "a.so")
    kiln.compile(conv).export(tmp_path / "b.so")
    a, b = kiln.load(tmp_path / "a.so"), kiln.load(tmp_path / "b.so")
    x = rng.standard_normal((2, 10)).astype(np.float32)
    image = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(a(x), softmax_ref(x), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(b(image), conv_ref(image), rtol=RTOL, atol=ATOL)


def test_exporting_another_model_to_a_loaded_path(tmp_path, rng):
    """dlopen would return the first image for the same name; kiln.load must not."""
    path = tmp_path / "model.so"
    first_model, first_ref = onnx_models.softmax()
    second_model, second_ref = onnx_models.two_outputs()
    kiln.compile(first_model).export(path)
    first = kiln.load(path)
    kiln.compile(second_model).export(path)
    second = kiln.load(path)
    assert [i.name for i in second.outputs] == ["relu", "sigmoid"]
    x = rng.standard_normal((2, 6)).astype(np.float32)
    np.testing.assert_allclose(second(x)[1], second_ref(x)[1], rtol=RTOL, atol=ATOL)
    y = rng.standard_normal((2, 10)).astype(np.float32)
    np.testing.assert_allclose(first(y), first_ref(y), rtol=RTOL, atol=ATOL)


def test_closed_module_refuses_to_run():
    model, _ = onnx_models.softmax()
    module = kiln.compile(model)
    with module:
        module(np.zeros((2, 10), np.float32))
    with pytest.raises(ValueError, match="closed"):
        module(np.zeros((2, 10), np.float32))


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.so"):
        kiln.load(tmp_path / "missing.so")


def test_load_a_file_that_is_not_a_model(tmp_path):
    path = tmp_path / "notes.so"
    path.write_text("not a shared object\n")
    with pytest.raises(kiln.RuntimeError, match="notes.so"):
        kiln.load(path)
