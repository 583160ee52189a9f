#!/bin/sh
# Compiles the bundled example, copies the .so twice and runs deploy_from_c on both copies.
set -eu
BUILD=$1; SRC=$2; RUNNER=$3; WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$BUILD/bin/kilnc" "$SRC/examples/tiny_cnn.onnx" -o "$WORK/a.so"
cp "$WORK/a.so" "$WORK/b.so"
# Only the C runtime API is exported, and no compiler library is needed.
if nm -D --defined-only "$WORK/a.so" | awk '{print $3}' | grep -v '^kiln_'; then
  echo "unexpected exported symbols"; exit 1
fi
if ldd "$WORK/a.so" | grep -E 'LLVM|MLIR|python'; then echo "unexpected dependency"; exit 1; fi
"$RUNNER" "$WORK/a.so" "$WORK/b.so"
