// Helpers shared by the lowerings that read or write at run-time indices (gather, scatter,
// reverse_sequence, top_k), and their registration.
#ifndef KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_INDEXING_H
#define KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_INDEXING_H

#include "passes/conversion/graph_to_loop/KernelBuilder.h"

namespace kiln::lowering {

// An index loaded from a tensor (int32/int64) as an `index`: negative values count from the
// end of a dim of size `extent`; with `clamp`, the result is then clamped into [0, extent) so
// that a bad index can never address memory outside the buffer (scatters compare it with
// positions instead, so an index out of range matches none).
mlir::Value wrapIndex(mlir::OpBuilder &rb, mlir::Location loc, mlir::Value raw, int64_t extent,
                      bool clamp = true);

// a `pred` b on values of kg element type `elementType` (signed, unsigned or float).
enum class Compare { Greater, Less, Equal };
mlir::Value compareValues(mlir::OpBuilder &rb, mlir::Location loc, Compare pred,
                          mlir::Type elementType, mlir::Value a, mlir::Value b);

void populateGatherLowerings(LoweringRegistry &registry);
void populateScatterLowerings(LoweringRegistry &registry);
void populateTopKLowerings(LoweringRegistry &registry);

} // namespace kiln::lowering

#endif
