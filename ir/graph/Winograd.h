// Winograd minimal filtering F(m x m, 3 x 3) (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): an m x m output tile of a 3x3 stride-1 correlation is
//   Y = A^T [(G g G^T) .* (B^T d B)] A
// for the (m + 2) x (m + 2) input patch d and the filter g. The filter transform runs once at
// compile time (kg.winograd_conv takes its result); the input and output transforms are the
// kernel's first and last stages, the elementwise product summed over channels its GEMMs.
#ifndef KILN_IR_GRAPH_WINOGRAD_H
#define KILN_IR_GRAPH_WINOGRAD_H

#include "mlir/IR/BuiltinAttributes.h"

#include <cstdint>

namespace kiln::graph {

struct WinogradMatrices {
  int64_t tile;  // m
  int64_t alpha; // m + 2: the patch size
  // Row-major: B^T is alpha x alpha, G alpha x 3, A^T tile x alpha.
  llvm::ArrayRef<double> inputTransform, filterTransform, outputTransform;

  double bt(int64_t row, int64_t col) const { return inputTransform[row * alpha + col]; }
  double g(int64_t row, int64_t col) const { return filterTransform[row * 3 + col]; }
  double at(int64_t row, int64_t col) const { return outputTransform[row * alpha + col]; }
};

// The matrices of F(tile x tile, 3 x 3), tile 2 or 4; null for any other tile.
const WinogradMatrices *winogradMatrices(int64_t tile);

// The transformed filter U[xi][nu][c][f] = sum_ab G[xi][a] g[a][b][c][f] G[nu][b] of a
// channels-last 3 x 3 x C x F f32 constant, as an alpha x alpha x C x F constant (computed in
// double); null when `filter` is unreadable or not of that shape.
mlir::ElementsAttr transformWinogradFilter(mlir::ElementsAttr filter, int64_t tile);

} // namespace kiln::graph

#endif
