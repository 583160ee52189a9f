"""Part 1 of bench/tune_bench.py: fp32 square GEMM, Kiln tuned against OpenBLAS (numpy).

Kiln compiles Y = A @ B with A and B both graph inputs (N x N each), as numpy's matmul gets
both operands at call time: neither side may pre-pack B ahead of the clock. The peer runs in
its own process (bench/numpy_gemm.py), which checks that numpy's BLAS is OpenBLAS and that it
runs the requested thread count.
"""

import json
import os
import subprocess
import sys

from kiln_tuned import KilnError
import machine_load
import make_op_models
import rounds
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = (1024, 2048)


def openblas(settings, sizes):
    """{size: numpy_gemm's JSON result}; an empty dict (and a message) if the peer failed."""
    command = [sys.executable, os.path.join(HERE, "numpy_gemm.py"), "--threads",
               str(settings.threads), "--iters", str(settings.iters), "--warmup",
               str(settings.warmup)] + [str(n) for n in sizes]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        settings.log(f"bench: OpenBLAS peer failed (exit {result.returncode})")
    found = {}
    for line in result.stdout.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        found[value["size"]] = value
    return found


def build_kiln(settings, n):
    """Tunes and compiles the N x N GEMM; returns (so path, compile info)."""
    folder = os.path.join(settings.work_dir, "gemm")
    os.makedirs(folder, exist_ok=True)
    name = f"gemm_{n}"
    onnx_path = make_op_models.write_if_changed(
        make_op_models.matmul_model(name, (n, n), (n, n)), os.path.join(folder, name + ".onnx"))
    so_path = os.path.join(folder, name + ".so")
    db = os.path.join(settings.work_dir, "db", "gemm", name + ".jsonl")
    return so_path, settings.kiln.compile(onnx_path, so_path, db, settings.trials)


def run(settings):
    sizes = settings.gemm_sizes or SIZES
    built = {}
    for n in sizes:  # tuning first, then both sides' timings of a size back to back
        try:
            built[n] = build_kiln(settings, n)
        except KilnError as e:
            settings.log(f"bench: gemm {n}: {e}")
            built[n] = (None, {"error": str(e)})
    settings.log(f"== GEMM: timing OpenBLAS (numpy) and Kiln, {settings.threads} threads, "
                 f"best of {settings.rounds} rounds")
    busy = machine_load.check(settings.log, "GEMM")
    rows, library = [], None
    for n in sizes:
        so_path, info = built[n]
        peer, stats, error = rounds.best_of(
            settings.rounds if so_path else 1, lambda: openblas(settings, [n]).get(n),
            (lambda: settings.kiln.bench(so_path)) if so_path else (lambda: {}),
            settings.log, f"gemm {n}")
        library = library or peer.get("library")
        row = {"size": f"{n}x{n}x{n}", "n": n, "openblas_ms": peer.get("p50_ms"),
               "openblas_min_ms": peer.get("min_ms"), "kiln_ms": stats.get("p50_ms"),
               "kiln_min_ms": stats.get("min_ms"), **info}
        if error:
            row["error"] = error
        for side in ("openblas", "kiln"):
            ms = row[f"{side}_ms"]
            row[f"{side}_gflops"] = 2 * n ** 3 / (ms * 1e-3) / 1e9 if ms else None
        row["ratio"] = tables.ratio(row["kiln_gflops"], row["openblas_gflops"])
        rows.append(row)
    tables.print_table(
        f"GEMM fp32, {settings.threads} threads, p50 of {settings.iters} runs "
        f"(best of {settings.rounds} rounds); "
        "ratio = Kiln GFLOP/s / OpenBLAS GFLOP/s (goal >= 0.9)",
        [("M=N=K", "size", "", ""), ("OpenBLAS ms", "openblas_ms", ".3f", ""),
         ("GFLOP/s", "openblas_gflops", ".1f", ""), ("Kiln ms", "kiln_ms", ".3f", ""),
         ("GFLOP/s", "kiln_gflops", ".1f", ""), ("kiln/openblas", "ratio", ".2f", "x")],
        rows, [f"OpenBLAS: {library}"] if library else [])
    return {"other_runnable": busy, "rows": rows}
