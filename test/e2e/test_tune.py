"""`kilnc --tune`: the tuning database it writes, the tuned model's numbers, resuming (after a
rerun, an interrupt or a torn last line), reusing records without tuning, the tuning report,
and the usage errors. Tiny models and a few trials keep the whole file under a minute."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

import cli
import tune_models

TRIALS = 20   # the shared tuning run; the first round of 16 goes to one task, 4 to the other
TASKS = 2


def read_db(path, torn_allowed=0):
    """Every record of a tuning database, checking that each line but `torn_allowed` of them is
    one valid JSON object."""
    records, bad = [], []
    with open(path) as f:
        for line in f.read().splitlines():
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                bad.append(line)
    assert len(bad) <= torn_allowed, f"lines that are not JSON: {bad}"
    return records


def count(records, source):
    return sum(r["source"] == source for r in records)


def tune(model, db, trials, output, *extra):
    return cli.kilnc(model, "-o", output, "--tune", "--trials", trials, "--tuning-db", db,
                     "--no-progress", "--tune-seed", 1, *extra)


def run_model(so, directory, feeds):
    args = []
    for name, value in feeds.items():
        path = directory / f"in_{name}.npy"
        np.save(path, value)
        args += ["--input", f"{name}={path}"]
    out = directory / "out"
    out.mkdir(exist_ok=True)
    cli.expect_success(cli.kiln_run(so, *args, "--output-dir", out))
    return {name: np.load(out / f"{name}.npy") for name in ("y", "z")}


def expect_matches_numpy(so, directory):
    feeds = tune_models.inputs()
    actual = run_model(so, directory, feeds)
    for name, expected in tune_models.reference(feeds).items():
        tune_models.assert_close(actual[name], expected)


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """One tuning run of the two-task model, shared: (folder, model, db, .so, process)."""
    folder = tmp_path_factory.mktemp("tuned")
    model = tune_models.two_task_model(folder / "two.onnx")
    db, so = folder / "db.jsonl", folder / "two.so"
    proc = tune(model, db, TRIALS, so)
    cli.expect_success(proc)
    return folder, model, db, so, proc


def copy_db(tuned, tmp_path):
    db = tmp_path / "db.jsonl"
    shutil.copy(tuned[2], db)
    return db


def test_database_has_a_default_and_the_search_records_of_every_task(tuned):
    _, _, db, so, proc = tuned
    records = read_db(db)
    keys = {r["workload_key"] for r in records}
    assert len(keys) == TASKS
    for record in records:
        assert record["version"] == 1
        assert re.fullmatch(r"[0-9a-f]{64}", record["workload_key"]), record["workload_key"]
        assert "/" in record["target"]
        assert isinstance(record["trace"], list)
        assert record["source"] in ("default", "search")
        if not record["error"]:
            assert record["latencies_sec"] and all(t > 0 for t in record["latencies_sec"])
    for key in keys:
        defaults = [r for r in records if r["workload_key"] == key and r["source"] == "default"]
        assert len(defaults) == 1, f"task {key}: {len(defaults)} default records"
        assert defaults[0]["trace"], "the default schedule has steps"
    assert count(records, "search") == TRIALS
    # The per-task table on stdout names every task.
    for name in {r["task_name"] for r in records}:
        assert name in proc.stdout, proc.stdout
    assert f"{TRIALS} trials" in proc.stdout, proc.stdout
    assert so.exists()


def test_tuned_model_matches_numpy(tuned, tmp_path):
    expect_matches_numpy(tuned[3], tmp_path)


def test_rerun_adds_only_the_missing_trials(tuned, tmp_path):
    _, model, _, _, _ = tuned
    db = copy_db(tuned, tmp_path)
    before = read_db(db)
    proc = tune(model, db, TRIALS, tmp_path / "same.so")
    cli.expect_success(proc)
    assert read_db(db) == before, "a rerun with the same --trials changed the database"

    proc = tune(model, db, TRIALS + 6, tmp_path / "more.so")
    cli.expect_success(proc)
    after = read_db(db)
    assert after[:len(before)] == before, "records were rewritten"
    assert count(after, "search") == TRIALS + 6
    assert count(after, "default") == TASKS
    expect_matches_numpy(tmp_path / "more.so", tmp_path)


def test_tuning_db_without_tune_uses_the_best_record(tuned, tmp_path):
    _, model, _, _, _ = tuned
    records = read_db(tuned[2])
    default_traces = {r["workload_key"]: r["trace"] for r in records if r["source"] == "default"}
    # Make a search record whose schedule differs from the default the fastest of its task.
    chosen = next(r for r in records if r["source"] == "search" and not r["error"]
                  and r["trace"] != default_traces[r["workload_key"]])
    chosen = dict(chosen, latencies_sec=[1e-12])
    db = copy_db(tuned, tmp_path)
    with open(db, "a") as f:
        f.write(json.dumps(chosen) + "\n")

    plain = cli.kilnc(model, "--emit=loop")
    from_db = cli.kilnc(model, "--emit=loop", "--tuning-db", db)
    cli.expect_success(plain)
    cli.expect_success(from_db)
    assert from_db.stdout != plain.stdout, "the record was not applied"
    assert from_db.stderr == ""
    proc = cli.kilnc(model, "-o", tmp_path / "reused.so", "--tuning-db", db)
    cli.expect_success(proc)
    assert read_db(db)[-1] == chosen, "compiling without --tune wrote to the database"
    expect_matches_numpy(tmp_path / "reused.so", tmp_path)


def test_a_record_that_does_not_replay_falls_back_with_a_warning(tuned, tmp_path):
    _, model, _, _, _ = tuned
    broken = dict(read_db(tuned[2])[0], latencies_sec=[1e-12], source="search",
                  trace=[{"primitive": "split", "names": ["no_such_loop"], "ints": [-1, 2]}])
    db = copy_db(tuned, tmp_path)
    with open(db, "a") as f:
        f.write(json.dumps(broken) + "\n")
    proc = cli.kilnc(model, "-o", tmp_path / "fallback.so", "--tuning-db", db)
    cli.expect_success(proc)
    assert "does not replay" in proc.stderr and "warning" in proc.stderr, proc.stderr
    expect_matches_numpy(tmp_path / "fallback.so", tmp_path)


def test_a_database_that_matches_no_kernel_warns(tuned, tmp_path):
    """The two-task model's records are no use to another model: kilnc says so, and still
    compiles it with the default schedules."""
    other = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                         "tiny_cnn.onnx")
    proc = cli.kilnc(other, "-o", tmp_path / "other.so", "--tuning-db", tuned[2])
    cli.expect_success(proc)
    assert "warning" in proc.stderr and "none of the model's" in proc.stderr, proc.stderr
    assert str(tuned[2]) in proc.stderr and "retune" in proc.stderr, proc.stderr


def test_a_missing_database_is_an_error_naming_it(tuned, tmp_path):
    missing = tmp_path / "no_such_db.jsonl"
    proc = cli.kilnc(tuned[1], "-o", tmp_path / "m.so", "--tuning-db", missing)
    assert proc.returncode == 1
    cli.expect_one_line_error(proc, missing)
    assert not (tmp_path / "m.so").exists()
    assert not missing.exists(), "compiling without --tune created the database"


def wait_for(predicate, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, f"kilnc ended first:\n{proc.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for kilnc"
        time.sleep(0.01)


def searched(db):
    return db.exists() and count(read_db(db, torn_allowed=1), "search")


@pytest.mark.parametrize("how", ["SIGINT to the process group", "SIGTERM to kilnc"])
def test_interrupt_keeps_every_record_and_a_rerun_resumes(tuned, tmp_path, how):
    model = tuned[1]
    db, so = tmp_path / "db.jsonl", tmp_path / "m.so"
    proc = subprocess.Popen(
        [cli.tool("kilnc"), model, "-o", so, "--tune", "--trials", "100000", "--tuning-db", db,
         "--no-progress", "--tune-seed", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        # After the first round is on disk: the signal lands while the next one is measured.
        wait_for(lambda: searched(db), proc)
        if how.startswith("SIGINT"):
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, f"stdout:\n{out}\nstderr:\n{err}"
    assert "tuning interrupted" in err and str(db) in err, err
    assert "(interrupted)" in out, out
    assert not so.exists(), "an interrupted tuning run compiled the model"
    records = read_db(db)  # every line valid
    kept = count(records, "search")
    assert kept >= 1
    assert not [r for r in records if "interrupt" in r["error"].lower() or
                "signal" in r["error"].lower()], "killed candidates were recorded as failures"
    if how.startswith("SIGTERM"):
        return
    # The rerun counts what is already there.
    proc = tune(model, db, kept + 5, so)
    cli.expect_success(proc)
    records = read_db(db)
    assert count(records, "search") == kept + 5
    assert count(records, "default") == TASKS
    expect_matches_numpy(so, tmp_path)


def test_interrupt_while_measuring_the_defaults(tuned, tmp_path):
    """A default schedule whose worker the user's Ctrl-C killed is not a failed default."""
    model = tuned[1]
    db = tmp_path / "db.jsonl"
    proc = subprocess.Popen(
        [cli.tool("kilnc"), model, "-o", tmp_path / "m.so", "--tune", "--trials", "100000",
         "--tuning-db", db, "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        # The first task's default is on disk; the second's is being built or run.
        wait_for(lambda: db.exists() and len(read_db(db, torn_allowed=1)) >= 1, proc)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, f"stdout:\n{out}\nstderr:\n{err}"
    assert "crashed" not in out and "default schedule failed" not in out, out
    records = read_db(db)
    assert all(not r["error"] for r in records), records
    assert count(records, "search") == 0
    proc = tune(model, db, 3, tmp_path / "m.so")
    cli.expect_success(proc)
    records = read_db(db)
    assert count(records, "default") == TASKS and count(records, "search") == 3


def test_a_torn_last_line_does_not_break_a_rerun(tuned, tmp_path):
    _, model, _, _, _ = tuned
    db = copy_db(tuned, tmp_path)
    last = open(db).read().splitlines()[-1]
    with open(db, "a") as f:
        f.write(last[:len(last) // 2])  # a kill in the middle of a write
    proc = tune(model, db, TRIALS + 3, tmp_path / "m.so")
    cli.expect_success(proc)
    lines = open(db).read().splitlines()
    assert lines[len(read_db(tuned[2]))] == last[:len(last) // 2], "the torn line moved"
    records = read_db(db, torn_allowed=1)
    assert count(records, "search") == TRIALS + 3
    expect_matches_numpy(tmp_path / "m.so", tmp_path)


def test_tune_report(tuned, tmp_path):
    html, svg = tmp_path / "curves.html", tmp_path / "curves.svg"
    cli.expect_success(cli.kilnc("--tune-report", tuned[2], "-o", html))
    cli.expect_success(cli.kilnc("--tune-report", tuned[2], "-o", svg))
    page = html.read_text()
    assert "<svg" in page and "<html" in page.lower()
    for name in {r["task_name"] for r in read_db(tuned[2])}:
        assert name in page
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert "</svg>" in svg.read_text()
    missing = tmp_path / "none.jsonl"
    proc = cli.kilnc("--tune-report", missing, "-o", tmp_path / "x.svg")
    cli.expect_one_line_error(proc, missing)


@pytest.mark.parametrize("args,flag", [
    (["--tune", "--trials", "8"], "--tuning-db"),
    (["--tune", "--trials", "-1", "--tuning-db", "{db}"], "--trials"),
    (["--tune", "--trials", "lots", "--tuning-db", "{db}"], "--trials"),
    (["--tune", "--trials-per-task", "-3", "--tuning-db", "{db}"], "--trials-per-task"),
    (["--tune", "--tuning-db", "{db}", "--tune-threads", "x"], "--tune-threads"),
])
def test_usage_errors(tuned, tmp_path, args, flag):
    db = tmp_path / "db.jsonl"
    proc = cli.kilnc(tuned[1], "-o", tmp_path / "m.so", *[a.format(db=db) for a in args])
    assert proc.returncode == 2, proc.stderr
    cli.expect_one_line_error(proc, flag)
    assert not db.exists() and not (tmp_path / "m.so").exists()
