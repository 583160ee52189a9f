#!/usr/bin/python3
"""Per-layer time of a compiled model next to onnxruntime's own per-node profile, same machine.

Usage: /usr/bin/python3 bench/layer_profile.py MODEL.onnx MODEL.so [--threads 2] [--runs 200]
           [--build build] [--json OUT.json]

Kiln's side is KILN_PROFILE's stage lines (kiln-run --bench), each stage named by its task's
symbol in the .so (`<kernel>_s<k>_task`, read with nm) and summed per kernel and run;
onnxruntime's is its enableProfiling trace (bench/ort_bench.js --profile). Both are medians
over the timed runs. Convolutions pair up in execution order (the i-th Kiln kernel with a
convolution against the i-th Conv node), which is where a model is won or lost; the rest is
reported by kind. This is a diagnosis, not a benchmark: profiling adds a clock read per stage.
"""

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STAGE = re.compile(r"kiln-profile: stage (-?\d+) iterations \d+ ([0-9.]+) ms task (.+)\+0x([0-9a-f]+)")
TASK_SYMBOL = re.compile(r"^(.*)_kernel_s\d+_task$")
CONV_OPS = ("Conv", "FusedConv")


def kernel_symbols(so_path):
    """Offset of each stage task in the .so -> its kernel's name."""
    out = subprocess.run(["llvm-nm-19", "--defined-only", so_path], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and (m := TASK_SYMBOL.match(parts[2])):
            symbols[int(parts[0], 16)] = m.group(1)
    return symbols


def kiln_kernels(args):
    """[(kernel, median ms per run)] in call order."""
    env = dict(os.environ, KILN_PROFILE="1")
    run = subprocess.run([os.path.join(args.build, "bin", "kiln-run"), args.so, "--bench",
                          str(args.runs), "--threads", str(args.threads)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"layer_profile: kiln-run failed:\n{run.stderr[-2000:]}")
    symbols = kernel_symbols(args.so)
    runs, current = [], None
    for line in run.stderr.splitlines():
        m = STAGE.match(line)
        if not m:
            continue
        if int(m.group(1)) == 0:  # stages count from 0 in every run
            current = []
            runs.append(current)
        name = symbols.get(int(m.group(4), 16), "?")
        if current and current[-1][0] == name:
            current[-1][1] += float(m.group(2))
        else:
            current.append([name, float(m.group(2))])
    timed = runs[len(runs) - args.runs:] if len(runs) >= args.runs else runs[1:]
    order = [name for name, _ in timed[-1]]
    if any([name for name, _ in r] != order for r in timed):
        sys.exit("layer_profile: the kernels ran in different orders across runs")
    return [(name, statistics.median(r[i][1] for r in timed)) for i, name in enumerate(order)]


def ort_nodes(args):
    """[(node, op, median ms)] in execution order, from onnxruntime's trace."""
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "ort.json")
        subprocess.run(["node", os.path.join(HERE, "ort_bench.js"), args.onnx, "--threads",
                        str(args.threads), "--iters", str(args.runs), "--warmup", "10",
                        "--profile", trace], stdout=subprocess.DEVNULL, check=True)
        with open(trace) as f:
            events = json.load(f)
    times, ops, order = collections.defaultdict(list), {}, []
    for e in events:
        if e.get("cat") != "Node" or not e["name"].endswith("_kernel_time"):
            continue
        node = e["name"][: -len("_kernel_time")]
        if node not in ops:
            order.append(node)
            ops[node] = e["args"].get("op_name", "?")
        times[node].append(e["dur"] / 1000.0)
    return [(n, ops[n], statistics.median(times[n][-args.runs:])) for n in order]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("onnx")
    p.add_argument("so")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    p.add_argument("--json", help="also write both profiles and the pairs here")
    args = p.parse_args()
    for path in (args.onnx, args.so):
        if not os.path.isfile(path):
            sys.exit(f"layer_profile: no such file '{path}'")

    kiln = kiln_kernels(args)
    ort = ort_nodes(args)
    kiln_convs = [(k, ms) for k, ms in kiln if "conv" in k]
    ort_convs = [(n, ms) for n, op, ms in ort if op in CONV_OPS]
    print(f"Kiln: {len(kiln)} kernels, {sum(ms for _, ms in kiln):.3f} ms; onnxruntime: "
          f"{len(ort)} nodes, {sum(ms for *_, ms in ort):.3f} ms (sums of per-layer medians)")
    pairs = []
    if len(kiln_convs) != len(ort_convs):
        print(f"{len(kiln_convs)} Kiln convolution kernels against {len(ort_convs)} Conv nodes: "
              "not paired")
    else:
        print(f"{'#':>3} {'kiln kernel':<36} {'ms':>8} {'onnxruntime node':<40} {'ms':>8} {'ort/kiln':>8}")
        for i, ((k, kms), (n, oms)) in enumerate(zip(kiln_convs, ort_convs)):
            pairs.append({"kiln": k, "kiln_ms": kms, "ort": n, "ort_ms": oms})
            print(f"{i:>3} {k[:36]:<36} {kms:>8.3f} {n[-40:]:<40} {oms:>8.3f} {oms / kms:>7.2f}x")
        kt, ot = sum(p["kiln_ms"] for p in pairs), sum(p["ort_ms"] for p in pairs)
        print(f"convolutions: Kiln {kt:.3f} ms, onnxruntime {ot:.3f} ms ({ot / kt:.2f}x)")
    rest_kiln = collections.Counter()
    for k, ms in kiln:
        if "conv" not in k:
            rest_kiln[re.sub(r"^fused_|_\d+$", "", k)] += ms
    rest_ort = collections.Counter()
    for _, op, ms in ort:
        if op not in CONV_OPS:
            rest_ort[op] += ms
    print("other Kiln kernels: " + ", ".join(f"{k} {ms:.3f}" for k, ms in rest_kiln.most_common()))
    print("other onnxruntime nodes: " + ", ".join(f"{k} {ms:.3f}" for k, ms in rest_ort.most_common()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"kiln": kiln, "onnxruntime": ort, "convolution_pairs": pairs}, f, indent=1)


if __name__ == "__main__":
    main()
