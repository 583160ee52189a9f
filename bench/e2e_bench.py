"""Part 3 of bench/tune_bench.py: whole models at batch 1, Kiln tuned against onnxruntime.

Models (bench/export_models.py, random weights): ResNet-50 and MobileNetV2 (torchvision,
1x3x224x224) and the zoo's BERT-base-shaped encoder (sequence 128, test/e2e/zoo_transformers.py).
Each model gets one trial budget for all its tasks (BENCH_TUNE_E2E_TRIALS); the issue's goal
allows 300 trials per task, i.e. several thousand for ResNet-50, so the default here is smaller.
onnxruntime runs through bench/ort_bench.js (onnxruntime-node, the same thread count).
"""

import json
import os
import subprocess
import sys

from kiln_tuned import KilnError
import machine_load
import rounds
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ("resnet50", "mobilenet_v2", "bert_base")


def ensure_onnxruntime(log):
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        log("== installing onnxruntime-node (bench/package-lock.json)")
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE,
                       check=True)


def onnxruntime(settings, onnx_path, input_spec):
    """ort_bench.js's JSON result, or None (with a message) if it failed."""
    command = ["node", os.path.join(HERE, "ort_bench.js"), onnx_path, "--threads",
               str(settings.threads), "--iters", str(settings.iters), "--warmup",
               str(settings.warmup), "--input", input_spec]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    for line in reversed(result.stdout.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    settings.log(f"bench: onnxruntime failed on {os.path.basename(onnx_path)} "
                 f"(exit {result.returncode})")
    return None


def export(name, folder):
    """folder/name.onnx, exported (with name_input.npy) unless already there. In a separate
    process, so that torch's thread pool never shares this one with the timings."""
    subprocess.run([sys.executable, os.path.join(HERE, "export_models.py"), folder, name],
                   check=True)
    return os.path.join(folder, name + ".onnx")


def run(settings):
    models = settings.e2e_models or MODELS
    folder = os.path.join(settings.work_dir, "e2e")
    os.makedirs(folder, exist_ok=True)
    ensure_onnxruntime(settings.log)
    built = {}
    for name in models:  # export and tune everything first, then time both sides per model
        onnx_path = export(name, folder)
        try:
            so_path = os.path.join(folder, name + ".so")
            db = os.path.join(settings.work_dir, "db", "e2e", name + ".jsonl")
            built[name] = (onnx_path, so_path,
                           settings.kiln.compile(onnx_path, so_path, db, settings.e2e_trials,
                                                 settings.e2e_trials_per_task))
        except KilnError as e:
            settings.log(f"bench: {name}: {e}")
            built[name] = (onnx_path, None, {"error": str(e)})
    settings.log(f"== end to end: timing onnxruntime and Kiln, {settings.threads} threads, "
                 f"best of {settings.rounds} rounds")
    busy = machine_load.check(settings.log, "whole models")
    rows = []
    for name in models:
        onnx_path, so_path, info = built[name]
        input_spec = "input=" + os.path.join(folder, f"{name}_input.npy")
        ort, stats, error = rounds.best_of(
            settings.rounds if so_path else 1,
            lambda: onnxruntime(settings, onnx_path, input_spec),
            (lambda: settings.kiln.bench(so_path, [input_spec])) if so_path else (lambda: {}),
            settings.log, name)
        row = {"model": name, "ort_ms": ort.get("p50_ms"), "ort_min_ms": ort.get("min_ms"),
               "trials": settings.e2e_trials if settings.kiln.tune else 0,
               "kiln_ms": stats.get("p50_ms"), "kiln_min_ms": stats.get("min_ms"), **info}
        if error:
            row["error"] = error
        row["ratio"] = tables.ratio(row["ort_ms"], row["kiln_ms"])
        rows.append(row)
    tables.print_table(
        f"End to end, batch 1, {settings.threads} threads, p50 of {settings.iters} runs "
        f"(best of {settings.rounds} rounds); "
        "ratio = onnxruntime ms / Kiln ms (> 1: Kiln faster; goal >= 1)",
        [("model", "model", "", ""), ("Kiln ms", "kiln_ms", ".2f", ""),
         ("onnxruntime ms", "ort_ms", ".2f", ""), ("ort/Kiln", "ratio", ".2f", "x"),
         ("trials", "trials", "d", ""), ("tune+compile s", "compile_s", ".0f", "")],
        rows, ["trials: the model's whole budget (BENCH_TUNE_E2E_TRIALS); tune+compile s is 0 "
               "when the tuning records and .so of an earlier run were reused"])
    return {"other_runnable": busy, "rows": rows}
