// Schedule primitives on a kl kernel, each checked for legality and recorded in a trace.
//
// A Schedule wraps one kernel (a func.func whose body nests kl.for / kl.block). Loops and
// blocks are addressed by their kernel-unique names, so a trace is readable and replays on a
// freshly lowered copy of the same kernel. A primitive that is illegal returns failure, leaves
// the IR untouched and sets lastError() to a message naming the loop or block.
#ifndef KILN_PASSES_SCHEDULE_SCHEDULE_H
#define KILN_PASSES_SCHEDULE_SCHEDULE_H

#include "ir/loop/LoopDialect.h"
#include "passes/schedule/Trace.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"

#include <optional>
#include <string>

namespace kiln::schedule {

class Schedule {
public:
  explicit Schedule(mlir::func::FuncOp kernel) : kernel(kernel) {}

  // --- loop transformations (LoopTransforms.cpp)
  // Splits `loop` into nested loops with the given extents, outermost first; at most one
  // factor may be -1 (inferred). A split whose extents multiply to more than the loop's is
  // accepted only when every block under the loop is predicated off (an iter var leaves its
  // domain) for the extra iterations. Returns the new names: "<loop>.0", "<loop>.1", ...
  mlir::FailureOr<llvm::SmallVector<std::string>> split(llvm::StringRef loop,
                                                       llvm::ArrayRef<int64_t> factors);
  // Fuses perfectly nested consecutive serial loops (outermost first) into one loop named
  // "<a>+<b>+..."; loops binding reduce iter vars fuse only with each other.
  mlir::FailureOr<std::string> fuse(llvm::ArrayRef<std::string> loops);
  // Gives the named serial loops (one perfect chain from the outermost to the innermost named
  // loop) the given order; unnamed loops of the chain keep their positions.
  mlir::LogicalResult reorder(llvm::ArrayRef<std::string> loops);
  // Merges loop `second` into loop `first`, which it must directly follow with the same extent
  // and kind (serial or parallel): each iteration runs first's body, then second's. Every
  // buffer one writes and the other touches must be split by both alike into one slab per
  // iteration (SiblingFusion.cpp). Trace: {fuse_siblings, names [first, second]}.
  mlir::LogicalResult fuseSiblings(llvm::StringRef first, llvm::StringRef second);

  // --- annotations (Annotations.cpp): serial loops only. parallel: no reduce iter var bound
  // to it, no parallel loop around or inside. vectorize: innermost, extent <= 64, only blocks
  // with affine accesses invariant or unit-stride along it, no predicate. unroll: <= 256.
  mlir::LogicalResult parallel(llvm::StringRef loop);
  mlir::LogicalResult vectorize(llvm::StringRef loop);
  mlir::LogicalResult unroll(llvm::StringRef loop);

  // --- compute location (ComputeLocation.cpp, Inline.cpp)
  // compute_at: moves an all-spatial producer (sole writer of its buffer, identity indices)
  // to the start of `loop`, which must hold every reader, over the region they read there.
  // reverse_compute_at: moves an all-spatial consumer after its producers into the end of
  // `loop`, over the region they finish writing in one iteration.
  // compute_inline: replaces each load of an injective block's buffer by its computation.
  mlir::LogicalResult computeAt(llvm::StringRef block, llvm::StringRef loop);
  mlir::LogicalResult reverseComputeAt(llvm::StringRef block, llvm::StringRef loop);
  mlir::LogicalResult computeInline(llvm::StringRef block);

  // --- caching and reduction (Caching.cpp, LayoutRewrite.cpp, Reduction.cpp, Rfactor.cpp)
  // Makes `block` write a new local buffer and adds a copy-out block "<block>.write_back"
  // right after it; returns the copy block's name.
  mlir::FailureOr<std::string> cacheWrite(llvm::StringRef block);
  // Copies the region of the block's `readIndex`-th read buffer (readBuffers order) that the
  // block reads during one iteration of `loop` into a local buffer shaped like that region
  // (dims in the buffer's order), at the start of the loop body, and makes the block read the
  // copy. The copy block "<block>.pack<readIndex>" is all-spatial, its iter vars bound to
  // buffer coordinates, so its innermost loop can be vectorized. The block must only read the
  // buffer, at affine indices, and nothing under the loop may write it. Trace:
  // {cache_read, names [block, loop], ints [readIndex]}. Returns the copy block's name.
  mlir::FailureOr<std::string> cacheRead(llvm::StringRef block, int64_t readIndex,
                                         llvm::StringRef loop);
  // Lays the block's `readIndex`-th read buffer, a kernel argument nothing writes, out once
  // in a new buffer [window dims in loop order.., offsets in dim 0..]: the windows cache_read at
  // `loop` would copy per iteration, each contiguous, by a copy block "<block>.layout<i>"
  // opening the kernel. The block then reads the blocked buffer (at `i floordiv M, i mod M`).
  // Codegen runs the copy at compile time when the argument is a constant (weights).
  // Trace: {layout_rewrite, names [block, loop], ints [readIndex]}.
  mlir::FailureOr<std::string> layoutRewrite(llvm::StringRef block, int64_t readIndex,
                                             llvm::StringRef loop);
  // Splits the reduction `block` along `loop`, which must bind only reduce iter vars, each an
  // increasing linear function of it without a predicate. The partial block "<block>.rf"
  // takes the block's place and accumulates into one slot per iteration of the loop (a new
  // spatial iter var, last), starting from the update's neutral element; `block` becomes the
  // final combination of the slots (the original init, then a reduce iter var over them), in
  // a nest after the reduction's outermost loop, which must hold the block alone. Copies of
  // loops that feed spatial iter vars are named "<loop>.wb", the loop over the slots
  // "<loop>.wb" too. Trace: {rfactor, names [block, loop]}. Returns the partial block's name.
  mlir::FailureOr<std::string> rfactor(llvm::StringRef block, llvm::StringRef loop);
  // Splits the init of a reduction block into its own block "<block>.init" placed before
  // `loop`; returns that block's name.
  mlir::FailureOr<std::string> decomposeReduction(llvm::StringRef block, llvm::StringRef loop);

  // Applies one recorded step (dispatching on its primitive name; see Schedule.cpp for the
  // registry) and records it again on success.
  mlir::LogicalResult apply(const TraceStep &step);
  // Replays every step of `trace`; stops at the first failing step.
  mlir::LogicalResult replay(const Trace &trace);

  const Trace &trace() const { return recorded; }
  const std::string &lastError() const { return error; }
  mlir::func::FuncOp getKernel() { return kernel; }

private:
  mlir::LogicalResult fail(const llvm::Twine &message);
  void record(TraceStep step) { recorded.steps.push_back(std::move(step)); }
  // Look a loop / block up by name; null (with the error set) when absent.
  loop::ForOp getLoop(llvm::StringRef name);
  loop::BlockOp getBlock(llvm::StringRef name);
  mlir::func::FuncOp kernel;
  Trace recorded;
  std::string error;
};

// Why fuse_siblings(first, second) would be refused, or "" when it is legal: lets a rule
// offer the choice only where it exists.
std::string siblingFusionBlocker(loop::ForOp first, loop::ForOp second);

// The names of the registered primitives, as they appear in traces.
llvm::SmallVector<llvm::StringRef> primitiveNames();

// Serialises `trace` to JSON text, parses it back, replays it on a copy of `original` and
// compares the printed result with `scheduled`. Returns a message describing the first
// difference, or std::nullopt when the round trip reproduces `scheduled` exactly.
std::optional<std::string> checkTraceRoundTrip(mlir::func::FuncOp original,
                                               mlir::func::FuncOp scheduled, const Trace &trace);

} // namespace kiln::schedule

#endif
