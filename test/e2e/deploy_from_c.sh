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
# Dependencies: the C and C++ runtime libraries only.
if ldd "$WORK/a.so" | grep -v -E '^\s*(linux-vdso|/lib64/ld-linux|lib(c|m|pthread|dl|stdc\+\+|gcc_s)\.so)'; then
  echo "unexpected dependency"; exit 1
fi
/usr/bin/python3 -c "import numpy as np, sys; [np.load(a).astype(np.float32).tofile(b) for a, b in zip(sys.argv[1::2], sys.argv[2::2])]" \
  "$SRC/examples/tiny_cnn_input.npy" "$WORK/input.f32" "$SRC/examples/tiny_cnn_expected.npy" "$WORK/expected.f32"
"$RUNNER" "$WORK/a.so" "$WORK/b.so" "$WORK/input.f32" "$WORK/expected.f32"
