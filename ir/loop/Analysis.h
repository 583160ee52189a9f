// Analyses of the kl loop IR: buffer accesses of blocks, loop nests, binding ranges.
#ifndef KILN_IR_LOOP_ANALYSIS_H
#define KILN_IR_LOOP_ANALYSIS_H

#include "ir/loop/LoopDialect.h"

#include "mlir/IR/AffineMap.h"

namespace kiln::loop {

// One load or store of a block, its indices as an affine map of the block's iter vars. `map`
// is null when an index is not an affine function of the iter vars (e.g. a gathered index).
struct BufferAccess {
  mlir::Value buffer;
  mlir::AffineMap map;
  bool isWrite;
  mlir::Operation *op;
};

// Accesses in the body (and the init region when `includeInit`), in program order.
llvm::SmallVector<BufferAccess> collectAccesses(BlockOp block, bool includeInit = true);

// The enclosing kl.for loops, outermost first.
llvm::SmallVector<ForOp> enclosingLoops(mlir::Operation *op);

// Finds a loop or block by name inside a kernel; null when absent.
ForOp findLoop(mlir::Operation *root, llvm::StringRef name);
BlockOp findBlock(mlir::Operation *root, llvm::StringRef name);

// A block domain that follows a symbolic dim of the model: at run time its iter var ranges
// over [0, scale * symbols[symbol] + offset), never more than the static domain (its value at
// the symbol's maximum, which storage is planned for). The driver sets them
// (compiler/driver/ShapeProbes.h) as `kiln.dyn_domains`: [symbol, scale, offset] per iter var,
// symbol -1 for a static one. Schedule primitives keep a block's attributes when they change
// its bindings; a block they create computes over the static domain, which is in bounds.
inline constexpr llvm::StringLiteral kDynamicDomainsAttr = "kiln.dyn_domains";
struct DynamicDomain {
  int64_t symbol, scale, offset;
};
std::optional<DynamicDomain> dynamicDomain(BlockOp block, unsigned iterVar);

// A kernel constant that follows a symbolic dim, `kiln.dyn_value` = [symbol, scale, offset,
// kind] on an arith.constant: the size scale * symbol + offset itself (kIntegerConstant: a dim
// size, a clamp bound) or its reciprocal (kReciprocalConstant: a mean's divisor). Codegen
// computes it from the run's symbols.
inline constexpr llvm::StringLiteral kDynamicValueAttr = "kiln.dyn_value";
enum : unsigned { kIntegerConstant = 0, kReciprocalConstant = 1 };
bool hasDynamicDomains(BlockOp block);

// Whether iter var `iterVar` needs a run-time guard: a dynamic domain on a reduce iter var
// (a reduction must not take in padding) or in a block that could not safely compute past
// it (an index loaded from a buffer, an integer division: padding holds any bits). Other
// blocks compute the padding too, in bounds of the storage at the maxima, which keeps their
// inner loops free of per-element tests; loops skip what they can (codegen/cpu/LoopBounds.h).
bool needsRuntimeGuard(BlockOp block, unsigned iterVar);

// Inclusive [min, max] of each binding over the loop ranges; true when every binding stays in
// its domain, i.e. the block needs no predicate.
bool bindingsStayInDomain(BlockOp block);

// Per iter var: true when its binding stays in its domain over the loop ranges (never when it
// needs a run-time guard). The block's predicate only has to test the iter vars that do not.
llvm::SmallVector<bool> bindingsInDomain(BlockOp block);

// Extent of `loop` for each enclosing loop var bound in `map` with non-negative coefficients:
// the range [min, max] of an affine expression over the given loop extents.
std::pair<int64_t, int64_t> exprRange(mlir::AffineExpr expr, llvm::ArrayRef<int64_t> extents);

// The value of `expr` (dims and constants only) at the dim values `dims`; floordiv, ceildiv
// and mod round as affine semantics say (toward negative infinity), and give 0 for a zero
// divisor.
int64_t evaluateAffineExpr(mlir::AffineExpr expr, llvm::ArrayRef<int64_t> dims);

// `expr` with each `x mod M` whose value never wraps over the given loop extents replaced by
// `x` less its multiples of M, and each such `x floordiv M` by those multiples over M:
// cache_read indexes a local buffer by `(i - s) mod M` and layout_rewrite a blocked one by
// `i floordiv M, i mod M`, which compose with a split binding `i = o * M + r` into `r` and
// `o` (the linear form vector codegen needs to see).
mlir::AffineExpr simplifyModsInRange(mlir::AffineExpr expr, llvm::ArrayRef<int64_t> extents);

} // namespace kiln::loop

#endif
