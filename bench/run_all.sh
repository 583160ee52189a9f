#!/bin/sh
# Benchmarks Kiln against onnxruntime and PyTorch on CPU: kilnc -O3 compile time and memory,
# then batch-1 latency of each model with the same thread count everywhere.
# Usage: bench/run_all.sh BUILD_DIR
# Environment: BENCH_MODELS (default "resnet18 resnet50 mobilenet_v2"), BENCH_THREADS (2),
#              BENCH_ITERS (100), BENCH_WARMUP (10), BENCH_OPSET (13),
#              BENCH_ZOO=1 (default models: every model of test/e2e/zoo.py).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[ -d "$1" ] || { echo "bench: error: build folder '$1' not found (run 'make build')" >&2; exit 1; }
BUILD=$(cd "$1" && pwd)
PY=${PY:-/usr/bin/python3}
if [ "${BENCH_ZOO:-0}" = 1 ]; then
  DEFAULT_MODELS=$(cd "$ROOT/test/e2e" && "$PY" -c 'import zoo; print(" ".join(zoo.MODELS))')
else
  DEFAULT_MODELS="resnet18 resnet50 mobilenet_v2"
fi
MODELS=${BENCH_MODELS:-$DEFAULT_MODELS}
OPSET=${BENCH_OPSET:-13}
THREADS=${BENCH_THREADS:-2}
ITERS=${BENCH_ITERS:-100}
WARMUP=${BENCH_WARMUP:-10}
KILNC="$BUILD/bin/kilnc"
KILN_RUN="$BUILD/bin/kiln-run"
WORK="$BUILD/bench"
RESULTS="$WORK/results"
# Exports are kept between runs, so each opset other than the default gets its own folder.
if [ "$OPSET" = 13 ]; then MODEL_DIR="$WORK/models"; else MODEL_DIR="$WORK/models-opset$OPSET"; fi

for tool in "$KILNC" "$KILN_RUN" /usr/bin/time; do
  [ -x "$tool" ] || { echo "bench: error: $tool not found" >&2; exit 1; }
done
command -v node >/dev/null || { echo "bench: error: node not found" >&2; exit 1; }
if [ ! -d "$ROOT/bench/node_modules/onnxruntime-node" ]; then
  echo "== installing onnxruntime-node (bench/package-lock.json)"
  (cd "$ROOT/bench" && npm ci --ignore-scripts --no-audit --no-fund)
fi
mkdir -p "$MODEL_DIR" "$RESULTS"

echo "== exporting models to $MODEL_DIR"
# shellcheck disable=SC2086 # MODELS is a word list
"$PY" "$ROOT/bench/export_models.py" --opset "$OPSET" "$MODEL_DIR" $MODELS

for m in $MODELS; do
  onnx="$MODEL_DIR/$m.onnx"
  so="$MODEL_DIR/$m.so"
  input="input=$MODEL_DIR/${m}_input.npy"
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
