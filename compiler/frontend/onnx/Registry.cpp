// The converter table: lookup by (op_type, opset) and the list of every op family.
#include "compiler/frontend/onnx/Registry.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cassert>

namespace kiln::onnx_frontend {

void ConverterRegistry::add(llvm::StringRef opType, int64_t sinceOpset, ConverterFn fn) {
  auto &versions = table_[opType];
  auto it = llvm::lower_bound(versions, sinceOpset,
                              [](const auto &entry, int64_t v) { return entry.first < v; });
  assert((it == versions.end() || it->first != sinceOpset) && "converter registered twice");
  versions.insert(it, {sinceOpset, fn});
}

ConverterFn ConverterRegistry::lookup(llvm::StringRef opType, int64_t opset) const {
  auto found = table_.find(opType);
  if (found == table_.end())
    return nullptr;
  ConverterFn best = nullptr;
  for (const auto &[since, fn] : found->second)
    if (since <= opset)
      best = fn;
  return best;
}

std::vector<std::pair<std::string, int64_t>> ConverterRegistry::entries() const {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto &entry : table_)
    for (const auto &version : entry.second)
      out.emplace_back(entry.getKey().str(), version.first);
  std::sort(out.begin(), out.end());
  return out;
}

const ConverterRegistry &ConverterRegistry::get() {
  static const ConverterRegistry registry = [] {
    ConverterRegistry r;
    populateElementwiseConverters(r);
    populateConvConverters(r);
    populateConvTransposeConverters(r);
    populateMatMulConverters(r);
    populateNormalizationConverters(r);
    populateLocalNormalizationConverters(r);
    populatePoolConverters(r);
    populateReduceConverters(r);
    populateSoftmaxConverters(r);
    populateLossConverters(r);
    populateQuantizeConverters(r);
    populateDynamicQuantizeConverters(r);
    populateGridSampleConverters(r);
    populateSignalConverters(r);
    populateDetConverters(r);
    populateSpectralWindowConverters(r);
    populateMaxUnpoolConverters(r);
    populateRecurrentConverters(r);
    populateShapeConverters(r);
    populateControlFlowConverters(r);
    populateScanConverters(r);
    return r;
  }();
  return registry;
}

} // namespace kiln::onnx_frontend
