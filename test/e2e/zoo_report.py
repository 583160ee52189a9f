#!/usr/bin/python3
"""Prints the zoo's results (CACHE/results.jsonl, written by test_zoo.py) as a Markdown table:
one row per model, one pass/fail column per opset, kilnc's compile time.

Usage: /usr/bin/python3 test/e2e/zoo_report.py [RESULTS.jsonl]   (default: zoo's cache)
The last record of each (model, opset) wins, so re-running a single test updates its row.
"""

import json
import os
import sys

import zoo


def load(path):
    latest = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                latest[(record["model"], record["opset"])] = record
    return latest


def cell(record):
    if record is None:
        return "not run", "-"
    seconds = "-" if record["compile_s"] is None else f"{record['compile_s']:.1f} s"
    if record["status"] == "pass":
        return f"pass ({record['max_relative_error']:.1g})", seconds
    return f"FAIL {record['error']}", seconds


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(zoo.default_cache(), "results.jsonl")
    if not os.path.exists(path):
        print(f"zoo_report: error: no results at {path} (run `make zoo` first)", file=sys.stderr)
        return 1
    latest = load(path)
    header = ["model"]
    for opset in zoo.OPSETS:
        header += [f"opset {opset}", f"kilnc {opset}"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    passed = 0
    for model in zoo.MODELS:
        row = [model]
        for opset in zoo.OPSETS:
            record = latest.get((model, opset))
            passed += bool(record and record["status"] == "pass")
            row += cell(record)
        print("| " + " | ".join(row) + " |")
    total = len(zoo.MODELS) * len(zoo.OPSETS)
    print(f"\n{passed} of {total} (model, opset) pairs pass")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
