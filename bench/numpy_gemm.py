#!/usr/bin/python3
"""Times fp32 square GEMMs with numpy's matmul on OpenBLAS, the peer of gemm_bench.py, and
prints one JSON object per size.

Usage: /usr/bin/python3 bench/numpy_gemm.py [--threads N] [--iters N] [--warmup N] SIZE...
OpenBLAS reads OPENBLAS_NUM_THREADS when it loads, so this script sets it before importing
numpy (run it in a fresh process). It then checks, after a first matmul, that the BLAS mapped
into the process is OpenBLAS (Debian's numpy goes through libblas.so.3, an alternative that
may point to the reference BLAS) and asks OpenBLAS its thread count; either failing is an
error, since the comparison would be meaningless.
"""

import argparse
import ctypes
import json
import os
import sys
import time


def mapped_openblas():
    """Path of the OpenBLAS library mapped into this process, or None."""
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "openblas" in os.path.basename(path).lower() and ".so" in path:
                return path
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np  # after OPENBLAS_NUM_THREADS: OpenBLAS sizes its pool on load

    rng = np.random.default_rng(0)
    probe = np.ones((64, 64), np.float32)
    probe @ probe
    library = mapped_openblas()
    if library is None:
        sys.exit("numpy_gemm: error: numpy's BLAS is not OpenBLAS (no libopenblas mapped); "
                 "check `update-alternatives --display libblas.so.3-x86_64-linux-gnu`")
    threads = ctypes.CDLL(library).openblas_get_num_threads()
    if threads != args.threads:
        sys.exit(f"numpy_gemm: error: OpenBLAS runs {threads} threads, not {args.threads}")

    for n in args.sizes:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = np.empty((n, n), np.float32)
        for _ in range(args.warmup):
            np.matmul(a, b, out=c)
        times = []
        for _ in range(args.iters):
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        p50 = times[(len(times) + 1) // 2 - 1]  # nearest rank, as the other timers
        print(json.dumps({
            "size": n, "library": library, "threads": threads, "iters": args.iters,
            "p50_ms": p50, "min_ms": times[0], "mean_ms": sum(times) / len(times),
            "gflops_p50": 2 * n ** 3 / (p50 * 1e-3) / 1e9,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
