#!/bin/sh
# Benchmarks Kiln against onnxruntime and PyTorch on CPU: kilnc -O3 compile time and memory,
# then batch-1 latency of each model with the same thread count everywhere.
# Usage: bench/run_all.sh BUILD_DIR
# Environment: BENCH_MODELS (default "resnet18 resnet50 mobilenet_v2"), BENCH_THREADS (2),
#              BENCH_ITERS (100), BENCH_WARMUP (10).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[ -d "$1" ] || { echo "bench: error: build folder '$1' not found (run 'make build')" >&2; exit 1; }
BUILD=$(cd "$1" && pwd)
PY=${PY:-/usr/bin/python3}
MODELS=${BENCH_MODELS:-"resnet18 resnet50 mobilenet_v2"}
THREADS=${BENCH_THREADS:-2}
ITERS=${BENCH_ITERS:-100}
WARMUP=${BENCH_WARMUP:-10}
KILNC="$BUILD/bin/kilnc"
KILN_RUN="$BUILD/bin/kiln-run"
WORK="$BUILD/bench"
RESULTS="$WORK/results"

for tool in "$KILNC" "$KILN_RUN" /usr/bin/time; do
  [ -x "$tool" ] || { echo "bench: error: $tool not found" >&2; exit 1; }
done
command -v node >/dev/null || { echo "bench: error: node not found" >&2; exit 1; }
if [ ! -d "$ROOT/bench/node_modules/onnxruntime-node" ]; then
  echo "== installing onnxruntime-node (bench/package-lock.json)"
  (cd "$ROOT/bench" && npm ci --ignore-scripts --no-audit --no-fund)
fi
mkdir -p "$WORK/models" "$RESULTS"

echo "== exporting models to $WORK/models"
# shellcheck disable=SC2086 # MODELS is a word list
"$PY" "$ROOT/bench/export_models.py" "$WORK/models" $MODELS

for m in $MODELS; do
  onnx="$WORK/models/$m.onnx"
  so="$WORK/models/$m.so"
  input="input=$WORK/models/${m}_input.npy"
  rm -f "$RESULTS/$m".*

  echo "== $m: kilnc -O3"
  if /usr/bin/time -f "%e %M" -o "$RESULTS/$m.compile.txt" "$KILNC" "$onnx" -o "$so" -O3; then
    echo "== $m: kiln-run --bench $ITERS --threads $THREADS"
    "$KILN_RUN" "$so" --input "$input" --bench "$ITERS" --threads "$THREADS" \
      > "$RESULTS/$m.kiln.txt" || echo "bench: $m: kiln-run failed" >&2
    cat "$RESULTS/$m.kiln.txt"
  else
    echo "bench: $m: kilnc failed" >&2
  fi

  echo "== $m: onnxruntime ($THREADS threads)"
  node "$ROOT/bench/ort_bench.js" "$onnx" --threads "$THREADS" --iters "$ITERS" \
    --warmup "$WARMUP" --input "$input" > "$RESULTS/$m.ort.json" ||
    echo "bench: $m: onnxruntime failed" >&2
  cat "$RESULTS/$m.ort.json"

  echo "== $m: PyTorch ($THREADS threads)"
  "$PY" "$ROOT/bench/torch_bench.py" "$m" --threads "$THREADS" --iters "$ITERS" \
    --warmup "$WARMUP" > "$RESULTS/$m.torch.json" || echo "bench: $m: PyTorch failed" >&2
  cat "$RESULTS/$m.torch.json"
done

echo
echo "== Kiln vs peers: batch 1, $THREADS threads, $ITERS timed runs ($(nproc) cores)"
# shellcheck disable=SC2086
"$PY" "$ROOT/bench/report.py" "$RESULTS" $MODELS
