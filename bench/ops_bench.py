"""Part 2 of bench/tune_bench.py: Ansor's single-operator shapes (bench/op_shapes.py), Kiln tuned
against oneDNN's primitives (bench/dnnl_ops.cpp, built here with clang++-19 -O2 -ldnnl).

oneDNN's figures are of the primitive alone: weights reordered beforehand and, for the
convolutions, activations in its preferred blocked layout, while Kiln's convolution models take
and give NHWC, the layout its convolutions run in (BENCH_TUNE_DNNL_PLAIN=1: both sides take NCHW
in and give NCHW out, oneDNN timing the reorders around the primitive, Kiln its transposes).
Debian's libdnnl threads with OpenMP, so its process gets OMP_NUM_THREADS.
"""

import json
import os
import subprocess

from kiln_tuned import KilnError
import machine_load
import make_op_models
import op_shapes
import rounds
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "dnnl_ops.cpp")
CXX = os.environ.get("CXX_DNNL", "clang++-19")


def build_dnnl_ops(work_dir):
    """Path of the dnnl_ops binary, rebuilt when the source is newer."""
    binary = os.path.join(work_dir, "dnnl_ops")
    if os.path.exists(binary) and os.path.getmtime(binary) >= os.path.getmtime(SOURCE):
        return binary
    if not os.path.exists("/usr/include/oneapi/dnnl/dnnl.hpp"):
        raise SystemExit("bench: error: oneDNN headers missing (run scripts/setup.sh bench)")
    os.makedirs(work_dir, exist_ok=True)
    subprocess.run([CXX, "-O2", "-std=c++17", SOURCE, "-ldnnl", "-o", binary + ".partial"],
                   check=True)
    os.replace(binary + ".partial", binary)
    return binary


def onednn(settings, ops):
    """{op name: dnnl_ops's JSON result} (ops it could not run are missing)."""
    binary = build_dnnl_ops(settings.work_dir)
    command = [binary, "--iters", str(settings.iters), "--warmup", str(settings.warmup)]
    if settings.dnnl_plain:
        command.append("--plain")
    env = dict(os.environ, OMP_NUM_THREADS=str(settings.threads))
    result = subprocess.run(command, input="".join(op_shapes.spec_line(op) + "\n" for op in ops),
                            stdout=subprocess.PIPE, text=True, env=env)
    if result.returncode != 0:
        settings.log(f"bench: dnnl_ops exited with {result.returncode}")
    found = {}
    for line in result.stdout.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        found[value["name"]] = value
    return found


def build_kiln(settings, op):
    """Tunes and compiles op's model; returns (so path, compile info)."""
    folder = os.path.join(settings.work_dir, "ops")
    os.makedirs(folder, exist_ok=True)
    # Activations in each side's own layout (NHWC for Kiln's convolutions), unless oneDNN
    # takes NCHW too.
    channels_last = not settings.dnnl_plain
    name = make_op_models.model_name(op, channels_last)
    onnx_path = make_op_models.write_if_changed(make_op_models.op_model(op, channels_last),
                                                os.path.join(folder, name + ".onnx"))
    so_path = os.path.join(folder, name + ".so")
    db = os.path.join(settings.work_dir, "db", "ops", name + ".jsonl")
    return so_path, settings.kiln.compile(onnx_path, so_path, db, settings.trials)


def run(settings):
    ops = op_shapes.select(settings.ops)
    layout = ("NCHW in and out, reorders timed; Kiln: NCHW in and out" if settings.dnnl_plain
              else "preferred (blocked), no reorders; Kiln's convolutions: NHWC in and out")
    rows, built = [], {}
    # Tuning first, then the timings of both sides one op after the other, so that the two
    # figures of a row are taken close together on a machine whose load may change.
    for op in ops:
        try:
            built[op.name] = build_kiln(settings, op)
        except KilnError as e:
            settings.log(f"bench: {op.name}: {e}")
            built[op.name] = (None, {"error": str(e)})
    settings.log(f"== single ops: timing oneDNN (activations: {layout}) and Kiln, "
                 f"{settings.threads} threads, best of {settings.rounds} rounds")
    busy = machine_load.check(settings.log, "single ops")
    for op in ops:
        so_path, info = built[op.name]
        ref, stats, error = rounds.best_of(
            settings.rounds if so_path else 1, lambda: onednn(settings, [op]).get(op.name),
            (lambda: settings.kiln.bench(so_path)) if so_path else (lambda: {}),
            settings.log, op.name)
        row = {"op": op.name, "kind": op.kind, "shape": op_shapes.describe(op),
               "gflop": op_shapes.flops(op) / 1e9, "onednn_ms": ref.get("p50_ms"),
               "onednn_min_ms": ref.get("min_ms"), "onednn_impl": ref.get("impl"),
               "kiln_ms": stats.get("p50_ms"), "kiln_min_ms": stats.get("min_ms"), **info}
        if error:
            row["error"] = error
        row["ratio"] = tables.ratio(row["onednn_ms"], row["kiln_ms"])
        for side in ("onednn", "kiln"):
            ms = row[f"{side}_ms"]
            row[f"{side}_gflops"] = row["gflop"] / (ms * 1e-3) if ms else None
        rows.append(row)
    mean = tables.geomean(r["ratio"] for r in rows)
    counted = sum(1 for r in rows if r["ratio"])
    tables.print_table(
        f"Single operators, batch 1, {settings.threads} threads, p50 of {settings.iters} runs "
        f"(best of {settings.rounds} rounds); "
        "ratio = oneDNN ms / Kiln ms (> 1: Kiln faster; goal: geomean >= 1)",
        [("op", "op", "", ""), ("shape", "shape", "", ""), ("oneDNN ms", "onednn_ms", ".4f", ""),
         ("GFLOP/s", "onednn_gflops", ".1f", ""), ("Kiln ms", "kiln_ms", ".4f", ""),
         ("GFLOP/s", "kiln_gflops", ".1f", ""),
         ("oneDNN/Kiln", "ratio", ".2f", "x")],
        rows, [f"geometric mean of oneDNN/Kiln over {counted} ops: {tables.fmt(mean, '.2f', 'x')}",
               f"oneDNN activations: {layout}"])
    return {"other_runnable": busy, "rows": rows, "geomean_ratio": mean,
            "onednn_layout": layout}
