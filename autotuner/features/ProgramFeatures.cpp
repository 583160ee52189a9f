// Aggregates the per-block statistics of a kernel into the program feature vector.
#include "autotuner/features/ProgramFeatures.h"

#include "autotuner/features/BlockAnalysis.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cmath>

using namespace mlir;

namespace kiln::autotuner {
namespace {

using detail::BlockStats;
using detail::FeatureKind;

const char *const kKernelFeatures[] = {
    "kernel.num_blocks",    "kernel.num_loops",           "kernel.num_nests",
    "kernel.alloc_bytes",   "kernel.parallel_work_share", "kernel.max_parallel_extent",
    "kernel.work",
};
constexpr unsigned kNumKernelFeatures = std::size(kKernelFeatures);

double scaled(FeatureKind kind, double raw) {
  if (!std::isfinite(raw))
    return 0;
  return kind == FeatureKind::Flag ? raw : std::log2(1 + std::max(0.0, raw));
}

// Names and kinds of the per-block features, from describeBlock on an empty block.
struct Layout {
  std::vector<std::string> blockNames;
  std::vector<FeatureKind> blockKinds;
  unsigned numMax = 0; // block features that also get a max.* entry
  std::vector<std::string> programNames;
};

const Layout &layout() {
  static const Layout table = [] {
    Layout t;
    detail::describeBlock(BlockStats(), [&](int slot, const char *name, FeatureKind kind,
                                            double) {
      t.blockNames.push_back(slot < 0 ? std::string(name)
                                      : "buf" + std::to_string(slot) + "." + name);
      t.blockKinds.push_back(kind);
    });
    t.programNames.assign(std::begin(kKernelFeatures), std::end(kKernelFeatures));
    for (const std::string &name : t.blockNames)
      t.programNames.push_back("sum." + name);
    for (size_t i = 0; i < t.blockNames.size(); ++i)
      if (t.blockKinds[i] != FeatureKind::Count) {
        t.programNames.push_back("max." + t.blockNames[i]);
        ++t.numMax;
      }
    for (const std::string &name : t.blockNames)
      t.programNames.push_back("top." + name);
    return t;
  }();
  return table;
}

} // namespace

std::vector<std::string> programFeatureNames() { return layout().programNames; }

std::vector<float> extractProgramFeatures(func::FuncOp kernel) {
  const Layout &t = layout();
  size_t numBlock = t.blockNames.size();
  std::vector<float> out(t.programNames.size(), 0.0f);

  llvm::SmallVector<BlockStats, 8> blocks;
  double numLoops = 0, numNests = 0, allocBytes = 0;
  kernel.walk([&](Operation *op) {
    if (auto block = dyn_cast<loop::BlockOp>(op))
      blocks.push_back(detail::analyzeBlock(block));
    else if (auto loop = dyn_cast<loop::ForOp>(op)) {
      numLoops += 1;
      numNests += loop->getParentOp() == kernel.getOperation();
    } else if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      if (type.hasStaticShape() && type.getElementType().isIntOrFloat())
        allocBytes += double(type.getNumElements()) *
                      std::max(1u, type.getElementTypeBitWidth() / 8);
    }
  });
  if (blocks.empty())
    return out;

  // Raw and scaled per-block vectors, the weights, and the heaviest block.
  std::vector<double> raw(blocks.size() * numBlock), value(blocks.size() * numBlock);
  double totalWork = 0, parallelWork = 0, maxParallel = 0;
  size_t top = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    size_t i = b * numBlock;
    detail::describeBlock(blocks[b], [&](int, const char *, FeatureKind kind, double v) {
      raw[i] = v;
      value[i] = scaled(kind, v);
      ++i;
    });
    totalWork += blocks[b].work;
    parallelWork += blocks[b].underParallel ? blocks[b].work : 0;
    maxParallel = std::max(maxParallel, blocks[b].parallelExtent);
    if (blocks[b].work > blocks[top].work)
      top = b;
  }

  size_t pos = 0;
  double kernelValues[kNumKernelFeatures] = {
      std::log2(1 + double(blocks.size())), std::log2(1 + numLoops), std::log2(1 + numNests),
      std::log2(1 + allocBytes), parallelWork / std::max(totalWork, 1e-30),
      std::log2(1 + maxParallel), std::log2(1 + totalWork)};
  for (double v : kernelValues)
    out[pos++] = float(v);

  double weightSum = 0;
  for (const BlockStats &s : blocks)
    weightSum += std::max(s.work, 1e-30);
  for (size_t f = 0; f < numBlock; ++f) {
    double acc = 0;
    for (size_t b = 0; b < blocks.size(); ++b)
      acc += t.blockKinds[f] == FeatureKind::Count
                 ? raw[b * numBlock + f]
                 : value[b * numBlock + f] * std::max(blocks[b].work, 1e-30) / weightSum;
    out[pos++] = float(t.blockKinds[f] == FeatureKind::Count ? scaled(FeatureKind::Count, acc)
                                                             : acc);
  }
  for (size_t f = 0; f < numBlock; ++f) {
    if (t.blockKinds[f] == FeatureKind::Count)
      continue;
    double best = value[f];
    for (size_t b = 1; b < blocks.size(); ++b)
      best = std::max(best, value[b * numBlock + f]);
    out[pos++] = float(best);
  }
  for (size_t f = 0; f < numBlock; ++f)
    out[pos++] = float(value[top * numBlock + f]);

  for (float &v : out)
    if (!std::isfinite(v))
      v = 0;
  return out;
}

} // namespace kiln::autotuner
