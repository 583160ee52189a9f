#!/usr/bin/python3
"""Prints the side-by-side table of a bench/run_all.sh run and writes summary.json beside it.

Usage: /usr/bin/python3 bench/report.py RESULTS_DIR MODEL...
Reads, per model: MODEL.compile.txt (/usr/bin/time output), MODEL.kiln.txt (kiln-run --bench
output), MODEL.ort.json (ort_bench.js) and MODEL.torch.json (torch_bench.py). A missing or
unreadable result shows as "-" rather than stopping the report.
"""

import json
import os
import re
import sys

_UNITS_MS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3}
_NUMBER = r"([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
_UNIT = r"(ns|us|µs|ms|s)\b"


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def read_json(path):
    """The last line of the file that parses as a JSON object, or None."""
    text = _read(path)
    for line in reversed((text or "").splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def parse_latency(text, stat):
    """Finds a latency statistic (p50 or mean) in kiln-run's human-readable --bench output and
    returns it in ms. kiln-run prints "latency ms: mean 1.2 p50 1.1 p90 ..."; "p50: 1.2 ms",
    "median=1200us", "p50 (us) 1200" and JSON lines with p50_ms/mean_ms are read too."""
    if not text:
        return None
    for line in reversed(text.splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and f"{stat}_ms" in value:
            return float(value[f"{stat}_ms"])
    names = {"p50": r"(?:p50|median)", "mean": r"(?:mean|avg|average)"}[stat]
    pattern = re.compile(rf"\b{names}(?:\s+latency)?(?:[_ ]?\(?(ns|us|µs|ms|s)\)?)?"
                         rf"(?![A-Za-z0-9])\s*[:=]?\s*{_NUMBER}\s*(?:{_UNIT})?", re.IGNORECASE)
    for line in text.splitlines():
        m = pattern.search(line)
        if not m:
            continue
        unit = (m.group(3) or m.group(1) or "").lower()
        if not unit:  # a unit stated once for the line, e.g. "latency ms:" or "(ms)"
            hint = re.search(r"(?:[(\[]|\blatency[ _])(ns|us|µs|ms|s)\b", line, re.IGNORECASE)
            unit = hint.group(1).lower() if hint else "ms"
        return float(m.group(2)) * _UNITS_MS[unit]
    return None


def parse_time(path):
    """/usr/bin/time -f '%e %M' output: (wall seconds, max RSS in MB), or (None, None)."""
    text = _read(path)
    for line in reversed((text or "").splitlines()):
        parts = line.split()
        if len(parts) == 2:
            try:
                return float(parts[0]), float(parts[1]) / 1024
            except ValueError:
                continue
    return None, None


def fmt(value, spec=".2f", suffix=""):
    return "-" if value is None else f"{value:{spec}}{suffix}"


def ratio(peer, kiln):
    return None if peer is None or not kiln else peer / kiln


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results, models = argv[0], argv[1:]
    rows = []
    for model in models:
        base = os.path.join(results, model)
        kiln_text = _read(base + ".kiln.txt")
        ort = read_json(base + ".ort.json") or {}
        torch = read_json(base + ".torch.json") or {}
        compile_s, compile_mb = parse_time(base + ".compile.txt")
        rows.append({
            "model": model,
            "compile_s": compile_s,
            "compile_max_rss_mb": compile_mb,
            "kiln_p50_ms": parse_latency(kiln_text, "p50"),
            "kiln_mean_ms": parse_latency(kiln_text, "mean"),
            "ort_p50_ms": ort.get("p50_ms"),
            "ort_mean_ms": ort.get("mean_ms"),
            "torch_p50_ms": torch.get("p50_ms"),
            "torch_mean_ms": torch.get("mean_ms"),
        })

    header = (f"{'model':<20}{'kiln p50':>10}{'ort p50':>10}{'torch p50':>11}"
              f"{'ort/kiln':>10}{'torch/kiln':>12}{'kilnc -O3':>11}{'kilnc RSS':>11}")
    print("Latency in ms (p50 of the timed runs, batch 1); ratios > 1 mean Kiln is faster.")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['model']:<20}{fmt(r['kiln_p50_ms']):>10}{fmt(r['ort_p50_ms']):>10}"
              f"{fmt(r['torch_p50_ms']):>11}"
              f"{fmt(ratio(r['ort_p50_ms'], r['kiln_p50_ms']), '.2f', 'x'):>10}"
              f"{fmt(ratio(r['torch_p50_ms'], r['kiln_p50_ms']), '.2f', 'x'):>12}"
              f"{fmt(r['compile_s'], '.1f', ' s'):>11}"
              f"{fmt(r['compile_max_rss_mb'], '.0f', ' MB'):>11}")
    missing = [r["model"] for r in rows if r["kiln_p50_ms"] is None]
    if missing:
        print(f"(no Kiln latency for {', '.join(missing)}: see {results}/MODEL.kiln.txt)")

    with open(os.path.join(results, "summary.json"), "w") as f:
        json.dump(rows, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
