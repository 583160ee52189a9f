// Converters from ONNX ops to kg ops, keyed by (op_type, since_opset) as in torch-mlir's
// OnnxToTorch patterns: a converter serves every opset from its since_opset up to the next
// registered one, so a semantic change in the ONNX spec is a second registration.
#ifndef KILN_COMPILER_FRONTEND_ONNX_REGISTRY_H
#define KILN_COMPILER_FRONTEND_ONNX_REGISTRY_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <utility>
#include <vector>

namespace kiln::onnx_frontend {

class OpBinder;

// Converts one node: reads it through the binder, builds kg ops and sets the node's results.
using ConverterFn = mlir::LogicalResult (*)(OpBinder &);

class ConverterRegistry {
public:
  // Registers `fn` for `opType` from `sinceOpset` on (default ONNX domain only).
  void add(llvm::StringRef opType, int64_t sinceOpset, ConverterFn fn);

  // The converter with the largest since_opset <= `opset`; null when there is none.
  ConverterFn lookup(llvm::StringRef opType, int64_t opset) const;

  // Every (op_type, since_opset), sorted: the supported-op table for docs and tests.
  std::vector<std::pair<std::string, int64_t>> entries() const;

  // The registry with all of Kiln's converters.
  static const ConverterRegistry &get();

private:
  llvm::StringMap<llvm::SmallVector<std::pair<int64_t, ConverterFn>, 2>> table_;
};

// One per op family, mirroring ir/graph/ops/.
void populateElementwiseConverters(ConverterRegistry &registry);
void populateConvConverters(ConverterRegistry &registry);
void populateConvTransposeConverters(ConverterRegistry &registry);
void populateMatMulConverters(ConverterRegistry &registry);
void populateNormalizationConverters(ConverterRegistry &registry);
void populateLocalNormalizationConverters(ConverterRegistry &registry);
void populatePoolConverters(ConverterRegistry &registry);
void populateReduceConverters(ConverterRegistry &registry);
void populateSoftmaxConverters(ConverterRegistry &registry);
void populateLossConverters(ConverterRegistry &registry);
void populateQuantizeConverters(ConverterRegistry &registry);
void populateDynamicQuantizeConverters(ConverterRegistry &registry);
void populateGridSampleConverters(ConverterRegistry &registry);
void populateSignalConverters(ConverterRegistry &registry);
void populateDetConverters(ConverterRegistry &registry);
void populateSpectralWindowConverters(ConverterRegistry &registry);
void populateMaxUnpoolConverters(ConverterRegistry &registry);
void populateRecurrentConverters(ConverterRegistry &registry);
void populateShapeConverters(ConverterRegistry &registry);
void populateControlFlowConverters(ConverterRegistry &registry);
void populateScanConverters(ConverterRegistry &registry);

} // namespace kiln::onnx_frontend

#endif
