#!/usr/bin/env python3
"""Kiln against the ONNX backend test suite (Debian's libonnx-testdata).

Compiles and runs every test of node/, pytorch-converted/, pytorch-operator/ and simple/ (each
in a process of its own, with a time limit), prints one line per test and the summary line
`N passed, N failed, N skipped`, and writes a JSON report. With --expect FILE, exits non-zero
when a test listed in FILE no longer passes, and lists the tests that pass but are not listed.
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "/usr/share/libonnx-testdata/data"
SUITES = ("node", "pytorch-converted", "pytorch-operator", "simple")
TEST_TIMEOUT_S = 600
LABEL = {"pass": "PASS", "fail": "FAIL", "unsupported": "UNSUPPORTED", "n/a": "N/A"}


def discover(data, pattern):
    tests = []
    for suite in SUITES:
        folder = os.path.join(data, suite)
        if not os.path.isdir(folder):
            sys.exit(f"conformance: {folder} missing: install libonnx-testdata (make setup)")
        for name in sorted(os.listdir(folder)):
            test_id = f"{suite}/{name}"
            if os.path.isdir(os.path.join(folder, name)) and re.search(pattern, test_id):
                tests.append(test_id)
    return tests


def run_one(test_id, data, kilnc, python_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([python_path, HERE]),
               PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryDirectory(prefix="kiln-conformance-") as work:
        started = time.monotonic()
        try:
            proc = subprocess.run([sys.executable, os.path.join(HERE, "worker.py"),
                                   os.path.join(data, test_id), work, kilnc],
                                  capture_output=True, text=True, timeout=TEST_TIMEOUT_S,
                                  env=env)
        except subprocess.TimeoutExpired:
            return {"status": "fail", "reason": f"timed out after {TEST_TIMEOUT_S} s"}
        seconds = round(time.monotonic() - started, 2)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = " ".join(proc.stderr.split())[-300:]
        return {"status": "fail", "seconds": seconds,
                "reason": f"worker exited with {proc.returncode}: {tail}"}
    result = json.loads(lines[-1])
    result["seconds"] = seconds
    return result


def read_expectations(path):
    with open(path) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def write_expectations(path, passing):
    with open(path, "w") as f:
        f.write("# ONNX backend tests Kiln passes (test/conformance/run_conformance.py).\n"
                "# A listed test that stops passing fails `make test`; regenerate with\n"
                "# `make conformance CONFORMANCE_ARGS=--update-expectations`.\n")
        f.writelines(f"{t}\n" for t in sorted(passing))


def summarize(results):
    by_suite = {}
    for test_id, r in results.items():
        counts = by_suite.setdefault(test_id.split("/")[0], {k: 0 for k in LABEL})
        counts[r["status"]] += 1
    for suite, c in sorted(by_suite.items()):
        applicable = c["pass"] + c["fail"] + c["unsupported"]
        share = 100.0 * c["pass"] / applicable if applicable else 100.0
        print(f"  {suite}: {c['pass']}/{applicable} applicable pass ({share:.1f}%), "
              f"{c['fail']} fail, {c['unsupported']} unsupported, {c['n/a']} n/a")
    return by_suite


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"),
                   help="Kiln build folder (bin/kilnc, python/)")
    p.add_argument("--data", default=DEFAULT_DATA, help="libonnx-testdata's data folder")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--filter", default="", help="regular expression over SUITE/TEST")
    p.add_argument("--report", default="conformance.json", help="JSON report to write")
    p.add_argument("--expect", help="file listing the tests that must pass")
    p.add_argument("--update-expectations", action="store_true",
                   help="rewrite --expect with the tests that pass now")
    args = p.parse_args()
    build = os.path.abspath(args.build)
    kilnc = os.path.join(build, "bin", "kilnc")
    if not os.access(kilnc, os.X_OK):
        sys.exit(f"conformance: {kilnc} not found: build Kiln first")

    tests = discover(args.data, args.filter)
    results = {}
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_one, t, args.data, kilnc, os.path.join(build, "python")): t
                   for t in tests}
        for future in concurrent.futures.as_completed(futures):
            test_id = futures[future]
            r = results[test_id] = future.result()
            reason = f": {r['reason']}" if r["reason"] else ""
            print(f"{LABEL[r['status']]:<11} {test_id}{reason}", flush=True)

    counts = {k: sum(r["status"] == k for r in results.values()) for k in LABEL}
    print(f"{counts['pass']} passed, {counts['fail'] + counts['unsupported']} failed, "
          f"{counts['n/a']} skipped  ({counts['unsupported']} of the failures are unsupported "
          f"ops or types; {time.monotonic() - started:.0f} s)")
    by_suite = summarize(results)
    not_applicable = {}
    for test_id, r in sorted(results.items()):
        if r["status"] == "n/a":
            not_applicable.setdefault(r["reason"], []).append(test_id)
    with open(args.report, "w") as f:
        json.dump({"summary": counts, "suites": by_suite, "not_applicable": not_applicable,
                   "tests": dict(sorted(results.items()))}, f, indent=1)
    print(f"report: {os.path.abspath(args.report)}")

    passing = {t for t, r in results.items() if r["status"] == "pass"}
    if not args.expect:
        return 0
    if args.update_expectations:
        kept = read_expectations(args.expect) - set(tests) if os.path.exists(args.expect) else set()
        write_expectations(args.expect, kept | passing)
        print(f"expectations: {len(kept | passing)} tests written to {args.expect}")
        return 0
    expected = read_expectations(args.expect)
    # An expected test whose folder is gone (another libonnx-testdata) is a regression too.
    missing = sorted(expected - set(tests)) if not args.filter else []
    if missing:
        print(f"MISSING ({len(missing)}) from {args.data}: " + " ".join(missing))
    expected &= set(tests)
    regressed = sorted(expected - passing)
    newly = sorted(passing - expected)
    if newly:
        print(f"newly passing ({len(newly)}), add them to {args.expect}: " + " ".join(newly))
    if regressed:
        print(f"REGRESSED ({len(regressed)}): " + " ".join(regressed))
    return 1 if regressed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
