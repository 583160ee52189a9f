// Static, liveness-based placement of intermediate buffers in one workspace.
#ifndef KILN_CODEGEN_CPU_MEMORYPLAN_H
#define KILN_CODEGEN_CPU_MEMORYPLAN_H

#include <cstdint>
#include <vector>

namespace kiln::codegen {

// A buffer live over the steps [firstStep, lastStep] (inclusive) of the call sequence.
struct BufferLifetime {
  int64_t bytes;
  int firstStep;
  int lastStep;
};

struct MemoryPlan {
  std::vector<int64_t> offsets; // per buffer, 64-byte aligned
  int64_t workspaceBytes = 0;
};

// Greedy best-fit by decreasing size: buffers whose lifetimes overlap never share bytes.
MemoryPlan planMemory(const std::vector<BufferLifetime> &buffers);

} // namespace kiln::codegen

#endif
