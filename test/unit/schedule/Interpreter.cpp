// A reference interpreter for kl kernels (see Interpreter.h).
#include "test/unit/schedule/Interpreter.h"

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IntegerSet.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <limits>
#include <memory>

using namespace mlir;

namespace kiln::test {
namespace {

struct Buffer {
  Tensor tensor;
  std::vector<bool> written;
};

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int64_t evalExpr(AffineExpr e, ArrayRef<int64_t> dims, ArrayRef<int64_t> syms) {
  if (auto d = llvm::dyn_cast<AffineDimExpr>(e))
    return dims[d.getPosition()];
  if (auto s = llvm::dyn_cast<AffineSymbolExpr>(e))
    return syms[s.getPosition()];
  if (auto c = llvm::dyn_cast<AffineConstantExpr>(e))
    return c.getValue();
  auto bin = llvm::cast<AffineBinaryOpExpr>(e);
  int64_t l = evalExpr(bin.getLHS(), dims, syms), r = evalExpr(bin.getRHS(), dims, syms);
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::FloorDiv:
    return floorDiv(l, r);
  case AffineExprKind::CeilDiv:
    return -floorDiv(-l, r);
  case AffineExprKind::Mod:
    return l - floorDiv(l, r) * r;
  default:
    return 0;
  }
}

class Machine {
public:
  std::string error;
  llvm::DenseMap<Value, double> values;
  llvm::DenseMap<Value, std::shared_ptr<Buffer>> buffers;

  void fail(Operation *op, const std::string &why) {
    if (error.empty()) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << why << " at " << op->getName() << " " << op->getLoc();
      error = text;
    }
  }

  SmallVector<int64_t> indices(AffineMap map, ValueRange operands) {
    SmallVector<int64_t> vals;
    for (Value v : operands)
      vals.push_back(int64_t(values.lookup(v)));
    ArrayRef<int64_t> all(vals);
    SmallVector<int64_t> result;
    for (AffineExpr e : map.getResults())
      result.push_back(
          evalExpr(e, all.take_front(map.getNumDims()), all.drop_front(map.getNumDims())));
    return result;
  }

  // Flat offset of `idx` in `buffer`, or -1 (with the error set) when out of bounds.
  int64_t offset(Operation *op, Buffer &buffer, ArrayRef<int64_t> idx) {
    int64_t flat = 0;
    for (auto [i, extent] : llvm::zip(idx, buffer.tensor.shape)) {
      if (i < 0 || i >= extent) {
        fail(op, "out-of-bounds access");
        return -1;
      }
      flat = flat * extent + i;
    }
    return flat;
  }

  void load(Operation *op, Value memref, ArrayRef<int64_t> idx) {
    Buffer &b = *buffers.lookup(memref);
    int64_t at = offset(op, b, idx);
    if (at < 0)
      return;
    if (!b.written[at])
      fail(op, "read of an element not written yet");
    values[op->getResult(0)] = b.tensor.data[at];
  }

  void store(Operation *op, double v, Value memref, ArrayRef<int64_t> idx) {
    Buffer &b = *buffers.lookup(memref);
    int64_t at = offset(op, b, idx);
    if (at < 0)
      return;
    b.tensor.data[at] = v;
    b.written[at] = true;
  }

  // Runs a region's single block; returns the operands of its terminator.
  SmallVector<double> runBlock(Block &block) {
    for (Operation &op : block) {
      if (!error.empty())
        return {};
      if (op.hasTrait<OpTrait::IsTerminator>()) {
        SmallVector<double> results;
        for (Value v : op.getOperands())
          results.push_back(values.lookup(v));
        return results;
      }
      run(&op);
    }
    return {};
  }

  // Vector semantics: each op of each block runs for every lane before the next op.
  void runVectorLoop(loop::ForOp loop) {
    int64_t n = loop.getExtent();
    std::vector<llvm::DenseMap<Value, double>> lanes(n, values);
    for (int64_t i = 0; i < n; ++i)
      lanes[i][loop.getInductionVar()] = double(i);
    auto onLanes = [&](const std::vector<int64_t> &active, Operation *op) {
      for (auto it = active.rbegin(); it != active.rend(); ++it) {
        std::swap(values, lanes[*it]);
        run(op);
        std::swap(values, lanes[*it]);
      }
    };
    for (Operation &op : loop.getBodyBlock()->without_terminator()) {
      auto block = llvm::dyn_cast<loop::BlockOp>(op);
      if (!block)
        return fail(&op, "non-block op in a vectorized loop");
      std::vector<int64_t> active, init;
      for (int64_t i = 0; i < n; ++i) {
        std::swap(values, lanes[i]);
        SmallVector<int64_t> iv = indices(block.getBindings(), block.getLoopVars());
        std::swap(values, lanes[i]);
        bool in = true, initNow = block.getInitBlock() != nullptr;
        for (unsigned k = 0; k < iv.size(); ++k) {
          in &= iv[k] >= 0 && iv[k] < block.getDomains()[k];
          initNow &= !block.isReduceVar(k) || iv[k] == 0;
        }
        if (!in)
          continue;
        active.push_back(i);
        if (initNow)
          init.push_back(i);
        for (auto [arg, v] : llvm::zip(block.getBodyBlock()->getArguments(), iv))
          lanes[i][arg] = double(v);
        if (initNow)
          for (auto [arg, v] : llvm::zip(block.getInitBlock()->getArguments(), iv))
            lanes[i][arg] = double(v);
      }
      if (!init.empty())
        for (Operation &inner : block.getInitBlock()->without_terminator())
          onLanes(init, &inner);
      for (Operation &inner : block.getBodyBlock()->without_terminator())
        onLanes(active, &inner);
    }
  }

  void runLoop(loop::ForOp loop) {
    if (loop.getKind() == loop::ForOp::kVectorized)
      return runVectorLoop(loop);
    int64_t n = loop.getExtent();
    bool reverse = loop.getKind() == loop::ForOp::kParallel;
    for (int64_t i = 0; i < n && error.empty(); ++i) {
      values[loop.getInductionVar()] = double(reverse ? n - 1 - i : i);
      runBlock(*loop.getBodyBlock());
    }
  }

  void runBlockOp(loop::BlockOp block) {
    SmallVector<int64_t> iv = indices(block.getBindings(), block.getLoopVars());
    bool initNow = block.getInitBlock() != nullptr;
    for (unsigned k = 0; k < iv.size(); ++k) {
      if (iv[k] < 0 || iv[k] >= block.getDomains()[k])
        return; // predicated off
      if (block.isReduceVar(k) && iv[k] != 0)
        initNow = false;
    }
    if (initNow) {
      for (auto [arg, v] : llvm::zip(block.getInitBlock()->getArguments(), iv))
        values[arg] = double(v);
      runBlock(*block.getInitBlock());
    }
    for (auto [arg, v] : llvm::zip(block.getBodyBlock()->getArguments(), iv))
      values[arg] = double(v);
    runBlock(*block.getBodyBlock());
  }

  double floatAttr(Attribute a) {
    if (auto f = llvm::dyn_cast<FloatAttr>(a))
      return f.getValueAsDouble();
    if (auto i = llvm::dyn_cast<IntegerAttr>(a))
      return double(i.getInt());
    return 0;
  }

  bool cmpf(arith::CmpFPredicate p, double a, double b) {
    using P = arith::CmpFPredicate;
    bool unordered = std::isnan(a) || std::isnan(b);
    switch (p) {
    case P::OEQ:
      return !unordered && a == b;
    case P::OGT:
      return !unordered && a > b;
    case P::OGE:
      return !unordered && a >= b;
    case P::OLT:
      return !unordered && a < b;
    case P::OLE:
      return !unordered && a <= b;
    case P::ONE:
      return !unordered && a != b;
    case P::UGT:
      return unordered || a > b;
    case P::UGE:
      return unordered || a >= b;
    case P::ULT:
      return unordered || a < b;
    case P::ULE:
      return unordered || a <= b;
    default:
      return false;
    }
  }

  void run(Operation *op) {
    auto set = [&](double v) { values[op->getResult(0)] = v; };
    auto in = [&](unsigned i) { return values.lookup(op->getOperand(i)); };
    if (auto loop = llvm::dyn_cast<loop::ForOp>(op))
      return runLoop(loop);
    if (auto block = llvm::dyn_cast<loop::BlockOp>(op))
      return runBlockOp(block);
    if (auto alloc = llvm::dyn_cast<memref::AllocOp>(op)) {
      auto b = std::make_shared<Buffer>();
      auto type = alloc.getType();
      b->tensor.shape.assign(type.getShape().begin(), type.getShape().end());
      b->tensor.data.assign(type.getNumElements(), std::numeric_limits<double>::quiet_NaN());
      b->written.assign(type.getNumElements(), false);
      buffers[alloc.getResult()] = b;
      return;
    }
    if (llvm::isa<memref::DeallocOp>(op))
      return;
    if (auto l = llvm::dyn_cast<affine::AffineLoadOp>(op))
      return load(op, l.getMemRef(), indices(l.getAffineMap(), l.getMapOperands()));
    if (auto s = llvm::dyn_cast<affine::AffineStoreOp>(op))
      return store(op, values.lookup(s.getValueToStore()), s.getMemRef(),
                   indices(s.getAffineMap(), s.getMapOperands()));
    if (auto a = llvm::dyn_cast<affine::AffineApplyOp>(op))
      return set(double(indices(a.getAffineMap(), a.getMapOperands())[0]));
    if (auto l = llvm::dyn_cast<memref::LoadOp>(op)) {
      SmallVector<int64_t> idx;
      for (Value v : l.getIndices())
        idx.push_back(int64_t(values.lookup(v)));
      return load(op, l.getMemRef(), idx);
    }
    if (auto ifOp = llvm::dyn_cast<affine::AffineIfOp>(op)) {
      IntegerSet cond = ifOp.getIntegerSet();
      SmallVector<int64_t> vals;
      for (Value v : ifOp.getOperands())
        vals.push_back(int64_t(values.lookup(v)));
      ArrayRef<int64_t> all(vals);
      bool holds = true;
      for (unsigned i = 0; i < cond.getNumConstraints(); ++i) {
        int64_t v = evalExpr(cond.getConstraint(i), all.take_front(cond.getNumDims()),
                             all.drop_front(cond.getNumDims()));
        holds &= cond.isEq(i) ? v == 0 : v >= 0;
      }
      Region &region = holds ? ifOp.getThenRegion() : ifOp.getElseRegion();
      if (region.empty())
        return;
      SmallVector<double> results = runBlock(region.front());
      for (auto [r, v] : llvm::zip(ifOp.getResults(), results))
        values[r] = v;
      return;
    }
    if (auto c = llvm::dyn_cast<arith::ConstantOp>(op))
      return set(floatAttr(c.getValue()));
    if (auto c = llvm::dyn_cast<arith::CmpFOp>(op))
      return set(cmpf(c.getPredicate(), in(0), in(1)) ? 1 : 0);
    if (llvm::isa<arith::SelectOp>(op))
      return set(in(0) != 0 ? in(1) : in(2));
    if (llvm::isa<arith::AddFOp, arith::AddIOp>(op))
      return set(in(0) + in(1));
    if (llvm::isa<arith::SubFOp, arith::SubIOp>(op))
      return set(in(0) - in(1));
    if (llvm::isa<arith::MulFOp, arith::MulIOp>(op))
      return set(in(0) * in(1));
    if (llvm::isa<arith::DivFOp>(op))
      return set(in(0) / in(1));
    if (llvm::isa<arith::NegFOp>(op))
      return set(-in(0));
    if (llvm::isa<arith::MaximumFOp>(op))
      return set(std::isnan(in(0)) || std::isnan(in(1)) ? in(0) + in(1) : std::max(in(0), in(1)));
    if (llvm::isa<arith::MinimumFOp>(op))
      return set(std::isnan(in(0)) || std::isnan(in(1)) ? in(0) + in(1) : std::min(in(0), in(1)));
    if (llvm::isa<arith::IndexCastOp, arith::SIToFPOp>(op))
      return set(in(0));
    fail(op, "unsupported op");
  }
};

} // namespace

std::vector<Tensor> makeArgs(func::FuncOp kernel, unsigned seed) {
  std::vector<Tensor> args;
  unsigned state = seed * 2654435761u + 12345u;
  for (Type t : kernel.getArgumentTypes()) {
    auto type = llvm::cast<MemRefType>(t);
    Tensor tensor;
    tensor.shape.assign(type.getShape().begin(), type.getShape().end());
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      state = state * 1103515245u + 12345u;
      tensor.data.push_back(double(int((state >> 16) % 7) - 3));
    }
    args.push_back(std::move(tensor));
  }
  return args;
}

std::string interpret(func::FuncOp kernel, std::vector<Tensor> &args) {
  Machine m;
  Block &entry = kernel.getBody().front();
  if (args.size() != entry.getNumArguments())
    return "wrong number of arguments";
  for (auto [arg, tensor] : llvm::zip(entry.getArguments(), args)) {
    auto b = std::make_shared<Buffer>();
    b->tensor = tensor;
    b->written.assign(tensor.data.size(), true);
    m.buffers[arg] = b;
  }
  m.runBlock(entry);
  if (!m.error.empty())
    return m.error;
  for (auto [arg, tensor] : llvm::zip(entry.getArguments(), args))
    tensor = m.buffers[arg]->tensor;
  return "";
}

} // namespace kiln::test
