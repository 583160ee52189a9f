"""The ONNX backend tests of Debian's libonnx-testdata that Kiln already passes: each listed
model is compiled with kilnc, run on every test_data_set_* and compared with the expected
outputs (rtol 1e-3, atol 1e-5). The list is test/e2e/onnx_testdata_passing.txt."""

import glob
import os

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import kiln
from cli import expect_success, kilnc

DATA = "/usr/share/libonnx-testdata/data"
LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx_testdata_passing.txt")


def _listed():
    with open(LIST) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def _tensors(folder, prefix):
    return [numpy_helper.to_array(onnx.load_tensor(path))
            for path in sorted(glob.glob(os.path.join(folder, f"{prefix}_*.pb")),
                               key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))]


@pytest.mark.parametrize("test", _listed())
def test_backend_model(tmp_path, test):
    folder = os.path.join(DATA, test)
    if not os.path.isdir(folder):
        pytest.fail(f"{folder} missing: install libonnx-testdata (make setup)")
    so = tmp_path / "model.so"
    expect_success(kilnc(os.path.join(folder, "model.onnx"), "-o", so))
    module = kiln.load(str(so))
    model = onnx.load(os.path.join(folder, "model.onnx"))
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = [o.name for o in model.graph.output]
    for data_set in sorted(glob.glob(os.path.join(folder, "test_data_set_*"))):
        got = module.run(dict(zip(inputs, _tensors(data_set, "input"))))
        for name, want in zip(outputs, _tensors(data_set, "output")):
            assert got[name].shape == want.shape, name
            np.testing.assert_allclose(got[name].astype(np.float64), want.astype(np.float64),
                                       rtol=1e-3, atol=1e-5, equal_nan=True, err_msg=name)
