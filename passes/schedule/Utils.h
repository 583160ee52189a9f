// Helpers shared by the schedule primitives: bindings, loop chains, program order, buffers.
#ifndef KILN_PASSES_SCHEDULE_UTILS_H
#define KILN_PASSES_SCHEDULE_UTILS_H

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineExpr.h"
#include "llvm/ADT/DenseMap.h"

#include <string>

namespace kiln::schedule::detail {

using loop::BlockOp;
using loop::ForOp;

//===-- bindings ----------------------------------------------------------===//

// Hands out one affine dim per distinct value, in first-use order.
class OperandList {
public:
  explicit OperandList(mlir::MLIRContext *ctx) : ctx(ctx) {}
  mlir::AffineExpr dim(mlir::Value v);
  llvm::SmallVector<mlir::Value> values;

private:
  mlir::MLIRContext *ctx;
};

// Sets the block's bindings to `results` (over dims of `operands`), simplified, with the
// operands no result uses dropped.
void setBindings(BlockOp block, llvm::ArrayRef<mlir::Value> operands,
                 llvm::ArrayRef<mlir::AffineExpr> results);

// An affine expression over `values` (dim i is values[i]).
struct VarExpr {
  mlir::AffineExpr expr;
  llvm::SmallVector<mlir::Value> values;
};

// Rewrites the bindings of every block under `root`: a loop var v in `subst` becomes subst[v].
void substituteLoopVars(mlir::Operation *root, const llvm::DenseMap<mlir::Value, VarExpr> &subst);

// The binding of each iter var as an expression over `operands` (shared dims across blocks).
llvm::SmallVector<mlir::AffineExpr> bindingExprs(BlockOp block, OperandList &operands);

// True when iter var `iv` of `block` depends on `loopVar`.
bool dependsOn(BlockOp block, unsigned iv, mlir::Value loopVar);

// Iter var k's binding as a linear sum: a coefficient per loop var of the block, plus a
// constant. std::nullopt when it has a floordiv, mod or a product of vars (a fused loop's).
struct LinearBinding {
  llvm::SmallVector<int64_t> coefficients;
  int64_t constant = 0;
};
std::optional<LinearBinding> linearBinding(BlockOp block, unsigned iv);

// The kl.for whose induction variable `var` is, if any.
ForOp loopOf(mlir::Value var);

// True when `loops` (enclosing the block) visit each point of its iteration space at most
// once: each loop of extent > 1 feeds exactly one iter var, linearly, and the loops feeding an
// iter var have coefficients that cannot collide (each at least the span of the smaller ones).
// Conservative: false for fused loops' floordiv/mod bindings.
bool visitsEachPointOnce(BlockOp block, llvm::ArrayRef<ForOp> loops);

// Which kinds of iter vars of the blocks under `loop` its induction variable feeds.
struct LoopRole {
  bool spatial = false;
  bool reduce = false;
};
LoopRole loopRole(ForOp loop);

// True when the loop's induction variable is only used as a kl.block loop var.
bool inductionVarOnlyBinds(ForOp loop);

//===-- loop nests --------------------------------------------------------===//

struct LoopSpec {
  std::string name;
  int64_t extent;
  std::string kind;
  mlir::DictionaryAttr extraAttrs; // discardable attributes carried over
};
LoopSpec specOf(ForOp loop);

// Creates nested loops from `specs` (outermost first) at the builder's insertion point and
// returns them; the innermost body holds only its terminator.
llvm::SmallVector<ForOp> createNest(mlir::OpBuilder &builder, mlir::Location loc,
                                    llvm::ArrayRef<LoopSpec> specs);

// Replaces the perfect chain `chain` (outermost first) by new loops built from `specs`, moves
// the innermost body into the new innermost loop and rebinds the blocks: old induction
// variable i becomes oldVarExprs[i] over the new induction variables. Returns the new loops.
llvm::SmallVector<ForOp> replaceChain(llvm::ArrayRef<ForOp> chain, llvm::ArrayRef<LoopSpec> specs,
                                      llvm::ArrayRef<mlir::AffineExpr> oldVarExprs);

// Ops of a loop body other than its terminator.
llvm::SmallVector<mlir::Operation *> bodyOps(ForOp loop);

// The outermost op of the loops that enclose only `block` (the block itself when its parent
// loop holds other ops too): erasing it removes the block and its private loops.
mlir::Operation *privateNestTop(BlockOp block);
// The loops of that private nest, outermost first.
llvm::SmallVector<ForOp> privateLoops(BlockOp block);

// Loop names for regenerated loops: iter var k keeps the name of the private loop that binds
// it alone, else "<block>.ax<k>".
std::string regeneratedLoopName(BlockOp block, unsigned iv, llvm::ArrayRef<ForOp> privateLoops);

// Creates a kl.block at the builder's insertion point whose body holds only its iter var
// arguments and terminator (no init).
BlockOp createBlock(mlir::OpBuilder &builder, mlir::Location loc, llvm::StringRef name,
                    mlir::ValueRange loopVars, mlir::AffineMap bindings,
                    llvm::ArrayRef<int64_t> domains, llvm::ArrayRef<int64_t> kinds);

// Why `loop` cannot be vectorized (see Annotations.cpp), or "" when it can. Without
// `checkStructure` only the blocks under it are checked, not that it is innermost with
// extent <= 64: whether it could be vectorized once split off and moved innermost.
std::string vectorizeBlocker(ForOp loop, bool checkStructure);

// Where a kernel-wide buffer is allocated: after the allocations that open the kernel body.
mlir::Operation *kernelAllocPoint(mlir::func::FuncOp kernel);

// Rewrites the affine.load/store ops in `region` whose map ignores some of its dim operands
// to take only the operands it uses (the lowering passes every iter var to every access).
void dropUnusedMapOperands(mlir::Region &region);

//===-- program order and buffers -----------------------------------------===//

// The ancestor of `op` (or op) directly in `block`; null if op is not inside it.
mlir::Operation *ancestorIn(mlir::Operation *op, mlir::Block *block);
// Strictly before in program order, neither nesting the other.
bool isBefore(mlir::Operation *a, mlir::Operation *b);
// The ancestor of op that is a direct child of the kernel body.
mlir::Operation *topLevelOp(mlir::Operation *op);

// Blocks of the kernel that write (store to) / read (load from) `buffer`. Writes are the
// affine.store ops (collectAccesses does not see memref.store; the lowering emits none).
llvm::SmallVector<BlockOp> writersOf(mlir::Operation *root, mlir::Value buffer);
llvm::SmallVector<BlockOp> readersOf(mlir::Operation *root, mlir::Value buffer);
// Buffers a block reads / writes (deduplicated, program order).
llvm::SmallVector<mlir::Value> readBuffers(BlockOp block);
llvm::SmallVector<mlir::Value> writtenBuffers(BlockOp block);

// A buffer `block` accesses that is allocated inside a loop not enclosing `where`, or after
// `where` in a body enclosing it (cache_read's local buffers), or null: the block cannot move
// under `where`.
mlir::Value bufferOutOfScope(BlockOp block, mlir::Operation *where);

// True when every store of `block` (body and init) goes to `buffer` at the block's spatial
// iter vars, in order (one per buffer dim): the identity for an all-spatial block.
bool writesIdentity(BlockOp block, mlir::Value buffer);

// A name not yet used by a loop (block) of the kernel: `base`, else base_1, base_2, ...
std::string uniqueLoopName(mlir::Operation *kernel, llvm::StringRef base);
std::string uniqueBlockName(mlir::Operation *kernel, llvm::StringRef base);

} // namespace kiln::schedule::detail

#endif
