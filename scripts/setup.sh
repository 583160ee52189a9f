#!/bin/sh
# Installs the Debian packages Kiln needs, skipping the ones already present.
set -e
PKGS="cmake ninja-build ccache clang-19 lld-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx libonnx-testdata pybind11-dev python3-pybind11
python3-numpy python3-pytest libgtest-dev python3-torch python3-torchvision"
MISSING=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING="$MISSING $p"
done
[ -z "$MISSING" ] && exit 0
echo "kiln setup: installing$MISSING"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $MISSING
