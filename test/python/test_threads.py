"""Concurrency: one Module per thread runs in parallel; a shared Module serialises its calls."""

import threading

import numpy as np

import kiln
import onnx_models
from conftest import ATOL, RTOL

THREADS = 4
ITERATIONS = 50


def run_threads(target):
    errors = []

    def guarded(i):
        try:
            target(i)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_one_module_per_thread(tmp_path):
    model, reference = onnx_models.conv_relu()
    path = tmp_path / "conv_relu.so"
    kiln.compile(model).export(path)

    def work(i):
        module = kiln.load(path, num_threads=1)
        rng = np.random.default_rng(i)
        for _ in range(ITERATIONS):
            x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
            np.testing.assert_allclose(module(x), reference(x), rtol=RTOL, atol=ATOL)

    run_threads(work)


def test_shared_module_from_several_threads(compiled):
    module, reference = compiled("softmax")

    def work(i):
        rng = np.random.default_rng(100 + i)
        for _ in range(ITERATIONS):
            x = rng.standard_normal((2, 10)).astype(np.float32)
            np.testing.assert_allclose(module(x), reference(x), rtol=RTOL, atol=ATOL)

    run_threads(work)


def test_concurrent_compiles():
    builders = [onnx_models.softmax, onnx_models.conv_relu, onnx_models.two_outputs,
                onnx_models.matmul_add]
    modules = [None] * THREADS

    def work(i):
        modules[i] = kiln.compile(builders[i]()[0])

    run_threads(work)
    assert [m.outputs[0].name for m in modules] == ["y", "y", "relu", "y"]
