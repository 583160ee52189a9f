#!/bin/sh
# Demo: compiles examples/tiny_cnn.onnx with kilnc, runs it with kiln-run, prints the top-5
# classes, checks them against PyTorch's output and prints the latency.
# Usage: scripts/demo.sh BUILD_DIR
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[ -d "$1" ] || { echo "demo: error: build folder '$1' not found (run 'make build')" >&2; exit 1; }
BUILD=$(cd "$1" && pwd)
PY=${PY:-/usr/bin/python3}
KILNC="$BUILD/bin/kilnc"
KILN_RUN="$BUILD/bin/kiln-run"
OUT="$BUILD/demo"
MODEL="$ROOT/examples/tiny_cnn.onnx"
INPUT="$ROOT/examples/tiny_cnn_input.npy"
EXPECTED="$ROOT/examples/tiny_cnn_expected.npy"

for tool in "$KILNC" "$KILN_RUN"; do
  [ -x "$tool" ] || { echo "demo: error: $tool not found (run 'make build')" >&2; exit 1; }
done
mkdir -p "$OUT"
rm -f "$OUT/tiny_cnn.so" "$OUT/probs.npy"

echo "== kilnc $(basename "$MODEL") -O3"
start=$(date +%s.%N)
"$KILNC" "$MODEL" -o "$OUT/tiny_cnn.so" -O3
end=$(date +%s.%N)
seconds=$(echo "$start $end" | awk '{printf "%.2f", $2 - $1}')
echo "compiled $OUT/tiny_cnn.so ($(wc -c < "$OUT/tiny_cnn.so") bytes) in $seconds s"

echo
echo "== kiln-run --bench 100"
"$KILN_RUN" "$OUT/tiny_cnn.so" --input "input=$INPUT" --output-dir "$OUT" --bench 100
[ -f "$OUT/probs.npy" ] || { echo "demo: error: kiln-run wrote no $OUT/probs.npy" >&2; exit 1; }

echo
echo "== top-5 classes"
"$PY" - "$OUT/probs.npy" "$EXPECTED" <<'EOF'
import sys
import numpy as np

# CIFAR-10's classes; the weights are random, so the ranking only shows the pipeline works.
LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
          "truck"]
probs = np.load(sys.argv[1]).reshape(-1)
expected = np.load(sys.argv[2]).reshape(-1)
for rank, c in enumerate(np.argsort(-probs)[:5], 1):
    print(f"  {rank}. class {c} ({LABELS[c]:<10}) p={probs[c]:.4f}")
error = float(np.abs(probs - expected).max() / np.abs(expected).max())
ok = error < 1e-4
print(f"max relative error vs PyTorch: {error:.2e} ({'OK' if ok else 'MISMATCH'})")
sys.exit(0 if ok else 1)
EOF
