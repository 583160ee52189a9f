// kg.constant folds to its value, so canonicalization can fold through it.
#include "ir/graph/GraphDialect.h"

using namespace mlir;

namespace kiln::graph {

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

} // namespace kiln::graph
