"""What keeping dims symbolic costs: a BERT-base-shaped encoder (test/e2e/zoo_transformers.py,
12 layers, hidden 768) exported with a symbolic sequence length, compiled once with
`--dim-range seq=1:MAX` and run at several lengths, next to the same model compiled with the
length fixed (`--input-shape`) and to onnxruntime on the symbolic export, in the same run.
Default schedules (no tuning). Prints compile times and a table of p50 latencies.

Usage: /usr/bin/python3 bench/dynamic_bench.py BUILD_DIR
Environment: BENCH_THREADS (2), BENCH_ITERS (20), BENCH_WARMUP (3),
             BENCH_DYN_LENGTHS ("128 32"), BENCH_DYN_MAX (256), BENCH_DYN_LAYERS (12).
"""

import os
import subprocess
import sys
import time
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))

import e2e_bench  # noqa: E402
from kiln_tuned import Kiln  # noqa: E402


def export(path, layers):
    import torch
    import zoo_transformers as zt

    def split_heads(t):
        b, s, _ = t.shape
        return t.reshape(b, s, zt.HEADS, zt.HEAD_DIM).transpose(1, 2)

    def merge_heads(t):
        b, _, s, _ = t.shape
        return t.transpose(1, 2).reshape(b, s, zt.HIDDEN)

    zt._split_heads, zt._merge_heads = split_heads, merge_heads  # the zoo fixes the length

    class Encoder(zt.Bert):
        def forward(self, input_ids):
            positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
            x = self.words(input_ids) + self.positions(positions) + self.token_types.weight[0]
            return self.layers(self.norm(x))

    torch.manual_seed(0)
    model = Encoder().eval()
    model.layers = model.layers[:layers]
    zt.randomize(model)
    ids = torch.randint(0, zt.VOCAB, (1, 16))
    torch.onnx.export(model, (ids,), path, input_names=["input_ids"], output_names=["hidden"],
                      dynamic_axes={"input_ids": {1: "seq"}, "hidden": {1: "seq"}},
                      opset_version=13)


def timed(command):
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main():
    build = os.path.abspath(sys.argv[1])
    threads = int(os.environ.get("BENCH_THREADS", 2))
    iters, warmup = int(os.environ.get("BENCH_ITERS", 20)), int(os.environ.get("BENCH_WARMUP", 3))
    lengths = [int(n) for n in os.environ.get("BENCH_DYN_LENGTHS", "128 32").split()]
    maximum = int(os.environ.get("BENCH_DYN_MAX", 256))
    layers = int(os.environ.get("BENCH_DYN_LAYERS", 12))
    kiln = Kiln(build, threads=threads, iters=iters, tune=False)
    # onnxruntime through e2e_bench's runner (bench/ort_bench.js), installed on first use.
    ort = types.SimpleNamespace(threads=threads, iters=iters, warmup=warmup, log=print)
    e2e_bench.ensure_onnxruntime(print)
    work = os.path.join(build, "bench", "dynamic")
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, f"bert_seq_l{layers}.onnx")
    if not os.path.exists(onnx_path):
        export(onnx_path, layers)

    symbolic = os.path.join(work, "symbolic.so")
    seconds = timed([kiln.kilnc, onnx_path, "-o", symbolic, "--dim-range", f"seq=1:{maximum}"])
    print(f"compile, seq symbolic in 1..{maximum}: {seconds:.1f} s", flush=True)
    rows = []
    for length in lengths:
        npy = os.path.join(work, f"ids_{length}.npy")
        np.save(npy, np.random.default_rng(length).integers(0, 8192, (1, length), dtype=np.int64))
        spec = f"input_ids={npy}"
        fixed = os.path.join(work, f"fixed_{length}.so")
        seconds = timed([kiln.kilnc, onnx_path, "-o", fixed, "--input-shape",
                         f"input_ids=1x{length}"])
        print(f"compile, seq fixed at {length}: {seconds:.1f} s", flush=True)
        # Interleaved rounds, best of 3, so that machine noise hits every column alike.
        best = [float("inf")] * 3
        for _ in range(3):
            for k, result in enumerate((kiln.bench(fixed, [spec]), kiln.bench(symbolic, [spec]),
                                        e2e_bench.onnxruntime(ort, onnx_path, spec))):
                if result:
                    best[k] = min(best[k], result["p50_ms"])
        rows.append((length, *best))

    print(f"\nBERT-base-shaped encoder, {layers} layers, batch 1, {threads} threads, p50 ms "
          f"(best of 3 interleaved rounds)")
    print("| seq | Kiln fixed | Kiln symbolic | onnxruntime | symbolic/fixed | ort/symbolic |")
    print("|---|---|---|---|---|---|")
    for length, fixed, sym, ort_ms in rows:
        print(f"| {length} | {fixed:.2f} | {sym:.2f} | {ort_ms:.2f} | {sym / fixed:.2f}x | "
              f"{ort_ms / sym:.2f}x |")


if __name__ == "__main__":
    main()
