"""kiln.tune / kiln.tune_report / kiln.compile(tuning_db=): the tuned Module computes what
numpy does, the database gets a default and the requested search records per task, a rerun
resumes, and bad arguments are rejected before anything is tuned."""

import json

import numpy as np
import pytest

import kiln
import onnx_models

RTOL, ATOL = 1e-4, 1e-4


def records(db):
    with open(db) as f:
        return [json.loads(line) for line in f if line.strip()]


def sources(db):
    found = [r["source"] for r in records(db)]
    return found.count("default"), found.count("search")


@pytest.mark.parametrize("builder", [lambda: onnx_models.matmul_add(m=32, k=64, n=48),
                                     onnx_models.conv_relu], ids=["matmul_add", "conv_relu"])
def test_tuned_module_matches_numpy(tmp_path, rng, capsys, builder):
    model, reference = builder()
    db = tmp_path / "db.jsonl"
    module = kiln.tune(model, trials=8, tuning_db=db, progress=False, seed=1)
    assert isinstance(module, kiln.Module)
    inputs = [rng.standard_normal(info.shape).astype(np.float32) for info in module.inputs]
    np.testing.assert_allclose(module(*inputs), reference(*inputs), rtol=RTOL, atol=ATOL)
    assert sources(db) == (1, 8)
    table = capsys.readouterr().out
    assert records(db)[0]["task_name"] in table, table

    # The same request again adds nothing; the records compile without tuning.
    kiln.tune(model, trials=8, tuning_db=db, progress=False)
    assert sources(db) == (1, 8)
    reused = kiln.compile(model, tuning_db=db)
    np.testing.assert_allclose(reused(*inputs), reference(*inputs), rtol=RTOL, atol=ATOL)


def test_conv_layout_tunes_that_layouts_kernels(tmp_path, rng):
    # 16 filters: channels last applies, and the model's convolution sits between transposes
    # (three tasks); in NCHW it is one task.
    model, reference = onnx_models.conv_relu(filters=16)
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    tasks = {}
    for layout in ("nhwc", "nchw"):
        db = tmp_path / f"{layout}.jsonl"
        module = kiln.tune(model, trials=2, tuning_db=db, progress=False, conv_layout=layout)
        np.testing.assert_allclose(module(x), reference(x), rtol=RTOL, atol=ATOL)
        tasks[layout] = {r["task_name"] for r in records(db)}
    assert len(tasks["nchw"]) == 1, tasks
    assert any("transpose" in name for name in tasks["nhwc"]), tasks
    with pytest.raises(kiln.CompileError, match="conv-layout|conv_layout|layout"):
        kiln.tune(model, trials=1, tuning_db=tmp_path / "bad.jsonl", progress=False,
                  conv_layout="nchw16c")


def test_tune_report(tmp_path):
    model, _ = onnx_models.matmul_add(m=32, k=64, n=48)
    db = tmp_path / "db.jsonl"
    kiln.tune(model, trials=4, tuning_db=str(db), progress=False)
    kiln.tune_report(db, tmp_path / "curves.html")
    kiln.tune_report(str(db), str(tmp_path / "curves.svg"))
    assert "<svg" in (tmp_path / "curves.html").read_text()
    assert "</svg>" in (tmp_path / "curves.svg").read_text()
    with pytest.raises(Exception, match="no_such_db"):
        kiln.tune_report(tmp_path / "no_such_db.jsonl", tmp_path / "x.svg")


def test_bad_arguments(tmp_path):
    model, _ = onnx_models.matmul_add()
    with pytest.raises(ValueError, match="tuning_db"):
        kiln.tune(model, trials=4)
    with pytest.raises(ValueError, match="trials"):
        kiln.tune(model, trials=-1, tuning_db=tmp_path / "db.jsonl")
    assert not (tmp_path / "db.jsonl").exists()
    with pytest.raises(kiln.CompileError, match="missing.jsonl"):
        kiln.compile(model, tuning_db=tmp_path / "missing.jsonl")
