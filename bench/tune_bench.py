#!/usr/bin/python3
"""Kiln's auto-scheduled code against the hand-tuned libraries, side by side in one run
(`make bench-tune`):

  gemm  fp32 GEMM 1024^3 and 2048^3: Kiln tuned vs OpenBLAS (numpy)        bench/gemm_bench.py
  ops   Ansor's single-operator shapes: Kiln tuned vs oneDNN               bench/ops_bench.py
  e2e   ResNet-50, MobileNetV2, BERT-base: Kiln tuned vs onnxruntime       bench/e2e_bench.py

Usage: /usr/bin/python3 bench/tune_bench.py [BUILD_DIR] [options]   (see --help; every option
has an environment variable, which is what `make bench-tune` passes through)
Everything goes to BUILD_DIR/bench-tune/: models, .so files, the tuning databases (db/), which
later runs reuse, and the figures (results/PART.json).
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiln_tuned import Kiln  # noqa: E402

PARTS = ("gemm", "ops", "e2e")


def _env(name, default):
    return os.environ.get(name) or default


def _list(text):
    return [w for w in (text or "").replace(",", " ").split() if w]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build", nargs="?", default="build", help="build folder (default: build)")
    p.add_argument("--only", default=_env("BENCH_TUNE_ONLY", ",".join(PARTS)),
                   help="parts to run, comma-separated [BENCH_TUNE_ONLY; default all]")
    p.add_argument("--trials", type=int, default=int(_env("BENCH_TUNE_TRIALS", 200)),
                   help="trials per GEMM and single-op model (one task each) "
                        "[BENCH_TUNE_TRIALS; default 200]")
    p.add_argument("--e2e-trials-per-task", type=int,
                   default=int(_env("BENCH_TUNE_E2E_TRIALS_PER_TASK", 300)),
                   help="cap on any one task of a model, the issue's budget "
                        "[BENCH_TUNE_E2E_TRIALS_PER_TASK; default 300; 0: none]")
    p.add_argument("--e2e-trials", type=int, default=int(_env("BENCH_TUNE_E2E_TRIALS", 1000)),
                   help="trials per whole model, shared by its tasks "
                        "[BENCH_TUNE_E2E_TRIALS; default 1000]")
    p.add_argument("--no-tune", action="store_true",
                   default=_env("BENCH_TUNE_NO_TUNE", "0") == "1",
                   help="spend no trials: build from existing records, else untuned "
                        "[BENCH_TUNE_NO_TUNE=1]")
    p.add_argument("--retune", action="store_true",
                   default=_env("BENCH_TUNE_RETUNE", "0") == "1",
                   help="tune again even where the database already has the trials "
                        "[BENCH_TUNE_RETUNE=1]")
    p.add_argument("--threads", type=int, default=int(_env("BENCH_THREADS", 2)),
                   help="threads for Kiln and every peer [BENCH_THREADS; default 2]")
    p.add_argument("--iters", type=int, default=int(_env("BENCH_ITERS", 100)),
                   help="timed runs per measurement [BENCH_ITERS; default 100]")
    p.add_argument("--rounds", type=int, default=int(_env("BENCH_TUNE_ROUNDS", 3)),
                   help="timing rounds, peer and Kiln alternately; each side's best p50 is kept "
                        "[BENCH_TUNE_ROUNDS; default 3]")
    p.add_argument("--warmup", type=int, default=int(_env("BENCH_WARMUP", 10)),
                   help="untimed runs first, peers only [BENCH_WARMUP; default 10]")
    p.add_argument("--gemm-sizes", default=_env("BENCH_TUNE_GEMM_SIZES", ""),
                   help="GEMM sizes N (N x N x N) [BENCH_TUNE_GEMM_SIZES; default 1024,2048]")
    p.add_argument("--ops", default=_env("BENCH_TUNE_OPS", ""),
                   help="op names or kinds of bench/op_shapes.py [BENCH_TUNE_OPS; default all]")
    p.add_argument("--models", default=_env("BENCH_TUNE_MODELS", ""),
                   help="end-to-end models [BENCH_TUNE_MODELS; default "
                        "resnet50,mobilenet_v2,bert_base]")
    p.add_argument("--dnnl-plain", action="store_true",
                   default=_env("BENCH_TUNE_DNNL_PLAIN", "0") == "1",
                   help="oneDNN convolutions on NCHW instead of their preferred layouts "
                        "[BENCH_TUNE_DNNL_PLAIN=1]")
    args = p.parse_args(argv)
    args.only = _list(args.only)
    unknown = set(args.only) - set(PARTS)
    if unknown or not args.only:
        p.error(f"--only: choose among {', '.join(PARTS)} (got '{','.join(args.only)}')")
    counts = (args.trials, args.e2e_trials, args.threads, args.iters, args.rounds)
    if min(counts) < 1 or args.warmup < 0:
        p.error("trials, threads, iters and rounds must be >= 1, warmup >= 0")
    return args


def check_tuner(kiln):
    """kilnc must know --tune unless the run spends no trials."""
    if not kiln.tune:
        return
    text = subprocess.run([kiln.kilnc, "--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout
    if "--tune" not in text:
        raise SystemExit("bench: error: this kilnc has no --tune (auto-scheduler not built); "
                         "BENCH_TUNE_NO_TUNE=1 (or --no-tune) times the untuned build instead")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isdir(args.build):
        raise SystemExit(f"bench: error: build folder '{args.build}' not found (make tools)")
    build = os.path.abspath(args.build)
    work = os.path.join(build, "bench-tune")
    results = os.path.join(work, "results")
    os.makedirs(results, exist_ok=True)

    def log(message):
        print(message, flush=True)

    kiln = Kiln(build, threads=args.threads, iters=args.iters, tune=not args.no_tune,
                retune=args.retune, log=log)
    check_tuner(kiln)
    settings = SimpleNamespace(
        kiln=kiln, work_dir=work, threads=args.threads, iters=args.iters, warmup=args.warmup,
        rounds=args.rounds,
        trials=args.trials, e2e_trials=args.e2e_trials,
        e2e_trials_per_task=args.e2e_trials_per_task, log=log, dnnl_plain=args.dnnl_plain,
        gemm_sizes=[int(n) for n in _list(args.gemm_sizes)], ops=_list(args.ops),
        e2e_models=_list(args.models))
    mode = ("untuned (--no-tune: existing records only)" if args.no_tune
            else f"tuned: {args.trials} trials per op, {args.e2e_trials} per model")
    log(f"== bench-tune: {', '.join(args.only)}; {mode}; {args.threads} threads; "
        f"{os.cpu_count()} cores; work folder {work}")

    import gemm_bench, ops_bench, e2e_bench  # noqa: E401  (after sys.path is set)
    runners = {"gemm": gemm_bench.run, "ops": ops_bench.run, "e2e": e2e_bench.run}
    figures = {}
    for part in PARTS:
        if part not in args.only:
            continue
        figures[part] = runners[part](settings)
        figures[part]["settings"] = {
            "tuned": not args.no_tune, "threads": args.threads, "iters": args.iters,
            "rounds": args.rounds,
            "trials": args.e2e_trials if part == "e2e" else args.trials,
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"}
        with open(os.path.join(results, part + ".json"), "w") as f:
            json.dump(figures[part], f, indent=2)
            f.write("\n")
    log(f"\nfigures: {', '.join(os.path.join(results, p + '.json') for p in figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
