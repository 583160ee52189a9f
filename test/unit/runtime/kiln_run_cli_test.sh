#!/usr/bin/env bash
# kiln-run end to end on the fake model built as a real model.so: exported symbols, .npy in and
# out checked with numpy, printing, --info, --bench, and one error line + exit code per misuse.
# usage: kiln_run_cli_test.sh KILN_RUN FAKE_MODEL_SO BAD_METADATA_MODEL_SO PYTHON NM WORKDIR
set -u
KILN_RUN=$1 MODEL=$2 BAD_MODEL=$3 PY=$4 NM=$5 WORK=$6
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Exactly the C API of runtime.h is exported: no kiln_model_entry, kiln_rt_parallel_for, C++.
expected="kiln_context_create kiln_context_destroy kiln_context_num_threads kiln_context_options_init
kiln_context_options_init_sized
kiln_context_run kiln_dtype_name kiln_dtype_size kiln_model_abi_version kiln_model_input_info
kiln_model_num_inputs kiln_model_num_outputs kiln_model_num_symbols kiln_model_output_info kiln_model_output_shape kiln_model_symbol_info kiln_status_free
kiln_status_get_code kiln_status_get_message"
exported=$("$NM" -D --defined-only "$MODEL" | awk '{print $3}' | sed 's/@.*//' | sort | tr '\n' ' ')
[ "$exported" = "$(echo $expected | tr ' ' '\n' | sort | tr '\n' ' ')" ] ||
  fail "exported symbols: $exported"

# expect_error CODE PATTERN ARGS...: exit code CODE, stderr one line matching PATTERN, no crash.
expect_error() {
  local code=$1 pattern=$2; shift 2
  "$KILN_RUN" "$@" >stdout.txt 2>stderr.txt
  local rc=$?
  [ "$rc" -eq "$code" ] || fail "kiln-run $*: exit $rc, expected $code"
  [ "$(wc -l <stderr.txt)" -eq 1 ] || fail "kiln-run $*: stderr is not one line: $(cat stderr.txt)"
  grep -q "^kiln-run: error: " stderr.txt && grep -qF -- "$pattern" stderr.txt ||
    fail "kiln-run $*: stderr '$(cat stderr.txt)' does not match '$pattern'"
}

"$PY" - <<'PY' || fail "writing the input files"
import numpy as np
x = (np.arange(4000, dtype=np.float32) % 97 * 0.5).reshape(4, 1000)
y = (np.arange(4000, dtype=np.float32) % 13 - 6).reshape(4, 1000)
np.save("x.npy", x); np.save("y.npy", y)
np.save("x_short.npy", x[:, :999]); np.save("x_f64.npy", x.astype(np.float64))
np.save("x_fortran.npy", np.asfortranarray(x))
PY

"$KILN_RUN" "$MODEL" --input x=x.npy --input "y in=y.npy" --output-dir out/a --threads 4 ||
  fail "run with --output-dir"
"$PY" - <<'PY' || fail "outputs differ from numpy"
import numpy as np
x, y = np.load("x.npy"), np.load("y.npy")
s, m = np.load("out/a/sum_0.npy"), np.load("out/a/row_max.npy")
assert s.dtype == np.float32 and s.shape == (4, 1000), (s.dtype, s.shape)
assert m.dtype == np.float64 and m.shape == (4,), (m.dtype, m.shape)
assert np.array_equal(s, x + y) and np.array_equal(m, (x + y).max(axis=1))
PY

# Without --output-dir: one line per output with its name, shape and first values.
"$KILN_RUN" "$MODEL" --input x=x.npy --input "y in=y.npy" --threads 1 >printed.txt ||
  fail "run printing outputs"
grep -q "^output 'sum/0': float32 4x1000 = -6 -4.5 -3 -1.5 0 1.5 3 4.5 \.\.\.$" printed.txt ||
  fail "printed outputs: $(cat printed.txt)"
grep -q "^output 'row_max': float64 4 = " printed.txt || fail "printed outputs: $(cat printed.txt)"

# Random inputs are deterministic per seed.
"$KILN_RUN" "$MODEL" --seed 7 --output-dir out/s7 && "$KILN_RUN" "$MODEL" --seed 7 --output-dir out/s7b &&
  "$KILN_RUN" "$MODEL" --seed 8 --output-dir out/s8 || fail "random runs"
cmp -s out/s7/sum_0.npy out/s7b/sum_0.npy || fail "same seed, different outputs"
cmp -s out/s7/sum_0.npy out/s8/sum_0.npy && fail "different seeds, same outputs"

"$KILN_RUN" "$MODEL" --info >info.txt || fail "--info"
grep -q "^  'y in': float32 4x1000$" info.txt || fail "--info: $(cat info.txt)"
"$KILN_RUN" "$MODEL" --bench 5 --threads 2 >bench.txt || fail "--bench"
grep -Eq '^latency ms: mean [0-9.]+ p50 [0-9.]+ p90 [0-9.]+ p99 [0-9.]+ min [0-9.]+$' bench.txt ||
  fail "--bench: $(cat bench.txt)"

expect_error 1 "input 'x' (x_short.npy): expected float32 4x1000, got float32 4x999" \
  "$MODEL" --input x=x_short.npy
expect_error 1 "input 'x' (x_f64.npy): expected float32 4x1000, got float64 4x1000" \
  "$MODEL" --input x=x_f64.npy
expect_error 1 "input 'x' (x_fortran.npy): Fortran-order arrays are not supported" \
  "$MODEL" --input x=x_fortran.npy
expect_error 1 "input 'x' (nope.npy): cannot open: No such file or directory" \
  "$MODEL" --input x=nope.npy
expect_error 1 "unknown input 'z' (model inputs: 'x', 'y in')" "$MODEL" --input z=x.npy
expect_error 1 "malformed model metadata: line 3: unknown dtype 'float99'" "$BAD_MODEL" --info
expect_error 1 "cannot load missing.so" missing.so
expect_error 1 "cannot load x.npy" x.npy
expect_error 2 "unknown option '--frobnicate'" "$MODEL" --frobnicate
expect_error 2 "no model given" --threads 2

[ "$failures" -eq 0 ] && echo "kiln-run CLI: all checks passed"
exit $((failures > 0))
