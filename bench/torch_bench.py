#!/usr/bin/python3
"""Times a benchmark model in PyTorch (eager, inference_mode, batch 1) and prints one JSON object.

Usage: /usr/bin/python3 bench/torch_bench.py MODEL [--threads N] [--iters N] [--warmup N]
MODEL is one of export_models.KNOWN; the model and input are the ones export_models.py writes.
"""

import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=export_models.KNOWN)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    model, x = export_models.build(args.model)
    times = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(x)
        for _ in range(args.iters):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1e3)
    t = sorted(times)

    def percentile(p):  # nearest rank, as in ort_bench.js
        return t[min(len(t), max(1, math.ceil(p / 100 * len(t)))) - 1]

    print(json.dumps({
        "runtime": f"pytorch {torch.__version__}",
        "model": args.model,
        "threads": args.threads,
        "iters": args.iters,
        "warmup": args.warmup,
        "p50_ms": round(percentile(50), 3),
        "p90_ms": round(percentile(90), 3),
        "p99_ms": round(percentile(99), 3),
        "min_ms": round(t[0], 3),
        "mean_ms": round(sum(t) / len(t), 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
