"""The Kiln side of the tuned benchmarks: compile a model with kilnc's auto-scheduler (keeping
its tuning database between runs) and time the result with kiln-run.

    kilnc M.onnx -o M.so -O3 --tune --trials N --tuning-db DB   tunes every task, builds the best
    kilnc M.onnx -o M.so -O3 --tuning-db DB                     reuses DB's records
    kiln-run M.so --bench ITERS --threads T                     "latency ms: mean .. p50 .. min .."

Reruns are quick: after a tuning session of N trials completes, DB.trials records N, and a later
run asking for at most N trials compiles from the records without tuning; asking for more tunes
again on the same DB (the tuner resumes from its records). A .so is rebuilt only when its kilnc
command line, the model, the database or kilnc changed (the command sits in M.so.cmd).
With tune=False (plumbing checks before --tune exists, or a quick rerun that must not spend
trials) nothing is tuned: an existing DB is still used, else the model builds untuned.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (parse_latency reads kiln-run's --bench output)


class KilnError(RuntimeError):
    pass


class Kiln:
    def __init__(self, build_dir, threads=2, iters=100, tune=True, retune=False, log=print):
        self.kilnc = os.path.join(build_dir, "bin", "kilnc")
        # What a built model depends on besides its inputs: the compiler library kilnc loads
        # and the runtime archive linked into every .so (kilnc itself is a thin front).
        lib = os.path.join(build_dir, "lib")
        self.toolchain = [self.kilnc, os.path.join(lib, "libkiln_compiler.so"),
                          os.path.join(lib, "libkiln_runtime.a")]
        self.kiln_run = os.path.join(build_dir, "bin", "kiln-run")
        for tool in (self.kilnc, self.kiln_run):
            if not os.access(tool, os.X_OK):
                raise SystemExit(f"bench: error: {tool} not found (build kilnc and kiln-run)")
        self.threads, self.iters, self.tune, self.retune, self.log = (
            threads, iters, tune, retune, log)

    def compile(self, onnx_path, so_path, db_path, trials, trials_per_task=0):
        """Builds so_path (tuning first when needed); returns a dict: tuned (trials spent in
        this call, 0 if none), compile_s (wall seconds of this call's kilnc runs, 0 if cached)."""
        os.makedirs(os.path.dirname(db_path), exist_ok=True)
        stamp = db_path + ".trials"
        done = _read_int(stamp) if os.path.exists(db_path) else 0
        tune_now = self.tune and (self.retune or done < trials)
        base = [self.kilnc, onnx_path, "-o", so_path, "-O3"]
        from_records = base + ["--tuning-db", db_path]  # what a rerun runs once tuned
        if tune_now:
            command = base + ["--tune", "--trials", str(trials), "--tuning-db", db_path]
            if trials_per_task:
                command += ["--trials-per-task", str(trials_per_task)]
        else:
            command = from_records if os.path.exists(db_path) else base
        if not tune_now and self._up_to_date(command, so_path, [onnx_path, db_path] + self.toolchain):
            return {"tuned": 0, "compile_s": 0.0}
        label = os.path.basename(onnx_path)
        self.log(f"== {label}: " + (f"tuning, {trials} trials" if tune_now else "kilnc")
                 + f" ({_short(command)})")
        start = time.monotonic()
        # Tuning shows its live progress on the terminal; a plain build's output is kept for
        # the error message only.
        result = subprocess.run(command, stdout=None if tune_now else subprocess.PIPE,
                                stderr=None if tune_now else subprocess.STDOUT, text=True)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            _remove(so_path + ".cmd")
            tail = "" if tune_now else "\n" + _tail(result.stdout)
            raise KilnError(f"kilnc failed (exit {result.returncode}) on {label}{tail}")
        if tune_now:
            _write(stamp, str(trials))
            command = from_records  # the .so tuning built is the one the records give
        _write(so_path + ".cmd", "\0".join(command))
        return {"tuned": trials if tune_now else 0, "compile_s": elapsed}

    def bench(self, so_path, inputs=()):
        """Times so_path: {p50_ms, mean_ms, min_ms}. inputs: NAME=FILE.npy strings."""
        command = [self.kiln_run, so_path, "--bench", str(self.iters),
                   "--threads", str(self.threads)]
        for spec in inputs:
            command += ["--input", spec]
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        if result.returncode != 0:
            raise KilnError(f"kiln-run failed (exit {result.returncode}) on "
                            f"{os.path.basename(so_path)}\n{_tail(result.stdout)}")
        stats = {f"{s}_ms": report.parse_latency(result.stdout, s) for s in ("p50", "mean")}
        stats["min_ms"] = _parse_min(result.stdout)
        if stats["p50_ms"] is None:
            raise KilnError(f"no latency in kiln-run's output:\n{_tail(result.stdout)}")
        return stats

    def _up_to_date(self, command, so_path, sources):
        try:
            with open(so_path + ".cmd") as f:
                if f.read() != "\0".join(command):
                    return False
            built = os.path.getmtime(so_path)
        except OSError:
            return False
        return all(not os.path.exists(s) or os.path.getmtime(s) <= built for s in sources)


def _parse_min(text):
    """kiln-run's 'min X' on the latency line (ms), or None."""
    for line in text.splitlines():
        words = line.replace(":", " ").split()
        if "latency" in words and "min" in words:
            i = words.index("min")
            try:
                return float(words[i + 1])
            except (IndexError, ValueError):
                return None
    return None


def _read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def _write(path, text):
    with open(path + ".partial", "w") as f:
        f.write(text)
    os.replace(path + ".partial", path)


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _tail(text, lines=15):
    return "\n".join((text or "").strip().splitlines()[-lines:])


def _short(command):
    return " ".join([os.path.basename(command[0])] + [os.path.basename(c) if os.sep in c else c
                                                       for c in command[1:]])
