"""Runs the command-line tools of a Kiln build folder (KILN_BUILD_DIR, default ./build)."""

import os
import subprocess

import pytest

BUILD_DIR = os.environ.get("KILN_BUILD_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")

COMPILE_TIMEOUT_S = 1500


def tool(name):
    path = os.path.join(BUILD_DIR, "bin", name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} not found: build Kiln first (or set KILN_BUILD_DIR)")
    return path


def run(name, *args, timeout=COMPILE_TIMEOUT_S):
    return subprocess.run([tool(name), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def kilnc(*args):
    return run("kilnc", *args)


def kiln_run(*args):
    return run("kiln-run", *args, timeout=600)


def expect_success(proc):
    assert proc.returncode == 0, (f"{proc.args[0]} exited with {proc.returncode}\n"
                                  f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")


def expect_one_line_error(proc, *named):
    """Checks the error contract: a non-zero exit (not a crash), exactly one line on stderr,
    which says "error" and names each of `named`. Returns that line."""
    assert proc.returncode > 0, (f"expected failure, got exit status {proc.returncode}; "
                                 f"stderr:\n{proc.stderr}")
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{proc.stderr}"
    line = lines[0]
    assert "error" in line.lower(), line
    for thing in named:
        assert str(thing) in line, f"error does not name {thing!r}: {line}"
    return line
