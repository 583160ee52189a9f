// The layouts of tensors with symbolic dims, checked through @main's reshapes and kernels.
//
// Every tensor is stored at the symbols' maxima. A reshape of @main aliases its input, so the
// reshaped tensor's elements sit where the input's sit. When each group of dims the reshape
// merges or splits has its symbolic dim first ([B, S, 768] -> [B, S, 12, 64]), the valid
// elements of the result are again a leading box, and kernels over it stop at the run's size.
// A merge of static dims before a symbolic one ([T, n, 768] -> [T*n, 768], as PyTorch's
// sequence-first attention does with the batch) interleaves them: the valid rows are
// t * n_max + b, not a prefix. Such a dim is "interleaved": kernels over it compute every row
// at the maxima (valid rows correctly, the others harmlessly), a reduction over it or an
// output with it is an error, and a reshape that splits it back ([T*n, 768] -> [T, n, 768])
// ends it.
#include "compiler/driver/ProbeComparison.h"

#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"

using namespace mlir;

namespace kiln::driver {
namespace {

// Groups of dims a reshape maps onto each other (equal products at the maxima), unit dims
// that do not move left out: (input dims, output dims).
using Group = std::pair<SmallVector<unsigned>, SmallVector<unsigned>>;

SmallVector<Group> reshapeGroups(ShapedType in, ShapedType out,
                                 llvm::function_ref<bool(bool, unsigned)> moves) {
  auto significant = [&](ShapedType t, bool isInput) {
    SmallVector<unsigned> dims;
    for (unsigned d = 0; d < t.getRank(); ++d)
      if (t.getDimSize(d) != 1 || moves(isInput, d))
        dims.push_back(d);
    return dims;
  };
  SmallVector<unsigned> a = significant(in, true), b = significant(out, false);
  SmallVector<Group> groups;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    Group g;
    int64_t pi = in.getDimSize(a[i]), pj = out.getDimSize(b[j]);
    g.first.push_back(a[i++]);
    g.second.push_back(b[j++]);
    while (pi != pj) {
      if (pi < pj && i < a.size()) {
        pi *= in.getDimSize(a[i]);
        g.first.push_back(a[i++]);
      } else if (pj < pi && j < b.size()) {
        pj *= out.getDimSize(b[j]);
        g.second.push_back(b[j++]);
      } else {
        break;
      }
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

std::string nodeOf(Operation *op, StringRef what) {
  std::string text = what.str();
  op->getLoc()->walk([&](Location loc) {
    if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
      text += " of node '" + name.getName().str() + "'";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text;
}

} // namespace

bool ProbeComparison::checkReshapeLayout(graph::ReshapeOp reshape, Interleaved &interleaved) {
  Value in = reshape.getInput(), out = reshape.getResult();
  auto inType = llvm::cast<ShapedType>(in.getType()), outType = llvm::cast<ShapedType>(out.getType());
  auto moves = [&](bool isInput, unsigned d) { return isSymbolicDim(isInput ? in : out, d); };
  std::string what = nodeOf(reshape, "the reshape");
  auto fail = [&](const std::string &why) {
    *error_ = what + " " + why + "; fix the symbolic dims with --input-shape";
    return false;
  };
  for (const Group &g : reshapeGroups(inType, outType, moves)) {
    auto tainted = llvm::find_if(g.first, [&](unsigned d) { return interleaved.count({in, d}); });
    auto firstMoved = [&](ArrayRef<unsigned> dims, bool isInput) {
      return llvm::find_if(dims, [&](unsigned d) { return moves(isInput, d); }) - dims.begin();
    };
    auto countMoved = [&](ArrayRef<unsigned> dims, bool isInput) {
      return llvm::count_if(dims, [&](unsigned d) { return moves(isInput, d); });
    };
    size_t movedIn = firstMoved(g.first, true), movedOut = firstMoved(g.second, false);
    if (tainted != g.first.end()) {
      // Splitting an interleaved dim back: [T*n] -> [T, n], the static dims first.
      int64_t prefix = interleaved.lookup({in, *tainted}), product = 1;
      for (size_t k = 0; k < movedOut && k < g.second.size(); ++k)
        product *= outType.getDimSize(g.second[k]);
      bool exact = movedOut < g.second.size() &&
                   outType.getDimSize(g.second[movedOut]) * prefix == inType.getDimSize(*tainted);
      if (tainted != g.first.begin() || countMoved(g.second, false) != 1 || product != prefix ||
          !exact)
        return fail("reshapes an interleaved symbolic dim (see ProbeLayouts.cpp) other than back "
                    "into the dims it merged");
      continue;
    }
    // A symbolic dim on one side must meet one on the other: [S, 128] -> [128, S] at S's
    // maximum 128 pairs S with 128 by size alone.
    bool leading = (movedIn == 0 || movedIn == g.first.size()) &&
                   (movedOut == 0 || movedOut == g.second.size()) &&
                   countMoved(g.first, true) <= 1 &&
                   countMoved(g.first, true) == countMoved(g.second, false);
    if (leading)
      continue;
    // Static dims, then the symbolic one, merged into one leading dim: interleaved.
    if (countMoved(g.first, true) != 1 || movedOut != 0 || countMoved(g.second, false) != 1)
      return fail("merges a symbolic dim with others in a way Kiln's storage at the range maxima "
                  "cannot alias");
    int64_t prefix = 1;
    for (size_t k = 0; k < movedIn; ++k)
      prefix *= inType.getDimSize(g.first[k]);
    // The merged dim is the prefix times the symbol, the symbol's static factor (heads in
    // n*12) and the trailing dims regrouped after it: row t * n_max + b at the maxima.
    int64_t symbolMax = symbolMaxOf(in, g.first[movedIn]);
    if (inType.getDimSize(g.first[movedIn]) % symbolMax != 0 ||
        outType.getDimSize(g.second.front()) != prefix * symbolMax)
      return fail("merges a symbolic dim with others in a way Kiln's storage at the range maxima "
                  "cannot alias");
    interleaved[{out, g.second.front()}] = prefix;
  }
  return true;
}

bool ProbeComparison::propagateInterleaved(func::CallOp call, Interleaved &interleaved,
                                           DenseMap<Operation *, SmallVector<int64_t>> &domains) {
  auto module = call->getParentOfType<ModuleOp>();
  auto kernel = module.lookupSymbol<func::FuncOp>((call.getCallee() + "_kernel").str());
  if (!kernel)
    return true;
  // Per buffer of the kernel (arguments, then what blocks write), its interleaved dims.
  Interleaved inKernel;
  bool any = false;
  for (auto [i, operand] : llvm::enumerate(call.getOperands()))
    for (unsigned d = 0; d < llvm::cast<ShapedType>(operand.getType()).getRank(); ++d)
      if (auto it = interleaved.find({operand, d}); it != interleaved.end()) {
        inKernel[{kernel.getArgument(i), d}] = it->second;
        any = true;
      }
  if (!any)
    return true;
  std::string where = "kernel @" + kernel.getSymName().str(), problem;
  // Whether kernel argument dim (buffer, j) is symbolic in @main without being interleaved.
  auto symbolicArgDim = [&](Value buffer, unsigned j) {
    auto arg = llvm::dyn_cast<BlockArgument>(buffer);
    if (!arg || arg.getOwner()->getParentOp() != kernel.getOperation())
      return false;
    unsigned i = arg.getArgNumber();
    Value value = i < call.getNumOperands() ? call.getOperand(i)
                  : i == call.getNumOperands() ? call.getResult(0) : Value();
    return value && isSymbolicDim(value, j) && !interleaved.count({value, j});
  };
  for (int pass = 0; pass < 2 && problem.empty(); ++pass) // a buffer written, then read
    kernel.walk([&](loop::BlockOp block) {
      std::string here = where + ", block '" + block.getBlockName().str() + "'";
      SmallVector<loop::BufferAccess> accesses = loop::collectAccesses(block);
      // Iter vars that index an interleaved dim, each directly.
      llvm::SmallDenseMap<unsigned, int64_t> vars;
      for (const loop::BufferAccess &access : accesses)
        for (unsigned j = 0; j < llvm::cast<ShapedType>(access.buffer.getType()).getRank(); ++j) {
          auto it = inKernel.find({access.buffer, j});
          if (it == inKernel.end())
            continue;
          auto dim = access.map ? llvm::dyn_cast<AffineDimExpr>(access.map.getResult(j))
                                : nullptr;
          if (!dim) {
            problem = here + " indexes an interleaved symbolic dim other than by an iter var";
            return WalkResult::interrupt();
          }
          vars[dim.getPosition()] = it->second;
        }
      for (const loop::BufferAccess &access : accesses)
        for (auto [j, e] : llvm::enumerate(access.map ? access.map.getResults()
                                                      : ArrayRef<AffineExpr>())) {
          auto dim = llvm::dyn_cast<AffineDimExpr>(e);
          if (!dim || !vars.count(dim.getPosition()) || inKernel.count({access.buffer, j}))
            continue;
          if (access.isWrite) {
            inKernel[{access.buffer, unsigned(j)}] = vars.lookup(dim.getPosition());
          } else if (symbolicArgDim(access.buffer, j)) {
            problem = here + " pairs an interleaved symbolic dim with a leading one";
            return WalkResult::interrupt();
          }
        }
      for (auto [k, prefix] : vars) {
        if (block.isReduceVar(k)) {
          problem = here + " reduces over an interleaved symbolic dim";
          return WalkResult::interrupt();
        }
        // Computed at the maxima: every row, valid or not.
        if (auto entries = domains.find(block); entries != domains.end()) {
          entries->second[3 * k] = -1;
          entries->second[3 * k + 1] = 0;
          entries->second[3 * k + 2] = block.getDomains()[k];
        }
      }
      return WalkResult::advance();
    });
  if (!problem.empty()) {
    *error_ = problem + " (a merge of static dims before a symbolic one, see "
              "compiler/driver/ProbeLayouts.cpp); fix the symbolic dims with --input-shape";
    return false;
  }
  // Tasks have one result (ExtractTasks), written through the argument after the inputs.
  assert(call.getNumResults() == 1 && "a task call has one result");
  Value result = call.getResult(0);
  Value resultArg = kernel.getArgument(call.getNumOperands());
  for (unsigned d = 0; d < llvm::cast<ShapedType>(result.getType()).getRank(); ++d)
    if (auto it = inKernel.find({resultArg, d}); it != inKernel.end())
      interleaved[{result, d}] = it->second;
  return true;
}

bool ProbeComparison::checkLayouts(func::FuncOp main,
                                   DenseMap<Operation *, SmallVector<int64_t>> &domains) {
  Interleaved interleaved;
  for (Operation &op : main.getBody().front()) {
    if (auto reshape = llvm::dyn_cast<graph::ReshapeOp>(op)) {
      if (!checkReshapeLayout(reshape, interleaved))
        return false;
    } else if (auto call = llvm::dyn_cast<func::CallOp>(op)) {
      if (!propagateInterleaved(call, interleaved, domains))
        return false;
    } else if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
      for (auto [j, v] : llvm::enumerate(ret.getOperands()))
        for (unsigned d = 0; d < llvm::cast<ShapedType>(v.getType()).getRank(); ++d)
          if (interleaved.count({v, d})) {
            *error_ = "output " + std::to_string(j) + " has an interleaved symbolic dim (a merge "
                      "of static dims before a symbolic one); fix the symbolic dims with "
                      "--input-shape";
            return false;
          }
    }
  }
  return true;
}

} // namespace kiln::driver
