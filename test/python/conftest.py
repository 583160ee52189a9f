"""Fixtures of the Python API tests: the kiln package from the build tree, compiled models."""

import os
import sys

import pytest

BUILD_DIR = os.environ.get("KILN_BUILD_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
# ctest sets PYTHONPATH; this makes `pytest test/python` work from a checkout too.
if os.path.join(BUILD_DIR, "python") not in sys.path:
    sys.path.insert(0, os.path.join(BUILD_DIR, "python"))

import kiln  # noqa: E402
import onnx_models  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="session")
def compiled():
    """compiled(name) -> (kiln.Module, numpy reference) for a builder in onnx_models,
    compiled once per session."""
    cache = {}

    def get(name):
        if name not in cache:
            model, reference = getattr(onnx_models, name)()
            cache[name] = (kiln.compile(model), reference)
        return cache[name]

    return get


@pytest.fixture
def rng():
    import numpy as np
    return np.random.default_rng(1234)
