# Thin wrapper: `make demo` and `make test` do everything on a fresh Debian 12 machine.
BUILD ?= build
PY := /usr/bin/python3
JOBS ?= $(shell nproc)

.PHONY: all setup configure build tools demo test conformance zoo bench bench-zoo bench-tune bench-dynamic clean example-model

all: build

setup:
	@scripts/setup.sh

# Configuring needs the packages: order it after setup even under `make -j`.
$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DLLVM_USE_LINKER=lld \
	  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir -DPython3_EXECUTABLE=$(PY)

configure: setup $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Only what the demo runs: the compiler (which brings the runtime archive) and kiln-run.
tools: configure
	cmake --build $(BUILD) -j $(JOBS) --target kilnc kiln-run

demo: tools
	@scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The ONNX backend test suite, one line per test; CONFORMANCE_ARGS="--filter node/test_conv" narrows
# it, CONFORMANCE_ARGS=--update-expectations records what passes now.
conformance: build
	$(PY) test/conformance/run_conformance.py --build $(BUILD) --jobs $(JOBS) \
	  --report $(BUILD)/conformance.json --expect test/conformance/expected_pass.txt $(CONFORMANCE_ARGS)

# The real-architecture zoo (test/e2e/zoo.py): every (model, opset) exported, compiled, run and
# compared against PyTorch, one at a time, then the table of results. ZOO_ARGS="-k resnet" narrows it.
zoo: build
	cd test/e2e && KILN_BUILD_DIR=$(abspath $(BUILD)) PYTHONPATH=$(abspath $(BUILD))/python \
	  PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rf test_zoo.py $(ZOO_ARGS); \
	  status=$$?; KILN_BUILD_DIR=$(abspath $(BUILD)) $(PY) zoo_report.py; exit $$status

# Regenerates the bundled example model (examples/tiny_cnn.onnx) from its script.
example-model:
	$(PY) examples/make_tiny_cnn.py examples/tiny_cnn.onnx

bench: build
	@scripts/setup.sh bench
	@bench/run_all.sh $(BUILD)

# Compile time and latency next to onnxruntime and PyTorch for every model of the zoo.
bench-zoo: build
	@scripts/setup.sh bench
	@BENCH_ZOO=1 bench/run_all.sh $(BUILD)

# The auto-scheduler against OpenBLAS, oneDNN and onnxruntime (bench/tune_bench.py); the BENCH_TUNE_*
# variables of bench/README.md pick the parts and the trial budgets.
bench-tune: tools
	@scripts/setup.sh bench
	@$(PY) bench/tune_bench.py $(BUILD)

# What symbolic dims cost: a BERT-base-shaped encoder with a symbolic length against the same
# model with the length fixed, and onnxruntime (bench/dynamic_bench.py).
bench-dynamic: tools
	@scripts/setup.sh bench
	@$(PY) bench/dynamic_bench.py $(BUILD)

clean:
	rm -rf $(BUILD)
