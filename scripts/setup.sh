#!/bin/sh
# Installs the Debian packages Kiln needs, skipping the ones already present.
# `setup.sh bench` also installs what bench/run_all.sh uses: GNU time, and Node.js with npm
# for onnxruntime-node (kept when a node is already on PATH).
set -e
PKGS="cmake ninja-build ccache clang-19 lld-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx libonnx-testdata pybind11-dev python3-pybind11
python3-numpy python3-pytest libgtest-dev python3-torch python3-torchvision libxgboost-dev"
if [ "${1:-}" = "bench" ]; then
  PKGS="time libdnnl-dev libopenblas-dev"
  command -v node >/dev/null && command -v npm >/dev/null || PKGS="$PKGS nodejs npm"
fi
MISSING=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING="$MISSING $p"
done
[ -z "$MISSING" ] && exit 0
echo "kiln setup: installing$MISSING"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $MISSING
