// The kiln-lower-graph-to-loop pass: one kl kernel per kg task function.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/Passes.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace kiln::conversion {
#define GEN_PASS_DEF_LOWERGRAPHTOLOOP
#include "passes/conversion/Passes.h.inc"

std::string kernelNameFor(StringRef task) { return (task + "_kernel").str(); }

namespace {

MemRefType toMemRef(Type type) {
  auto tensor = llvm::cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

const lowering::LoweringRegistry &registry() {
  static const lowering::LoweringRegistry instance = [] {
    lowering::LoweringRegistry r;
    lowering::populateElementwiseLowerings(r);
    lowering::populateConvLowerings(r);
    lowering::populateMatMulLowerings(r);
    lowering::populateNormalizationLowerings(r);
    lowering::populateReduceLowerings(r);
    lowering::populateDataMovementLowerings(r);
    return r;
  }();
  return instance;
}

LogicalResult lowerTask(func::FuncOp task, SymbolTable &symbols) {
  OpBuilder b(task);
  SmallVector<Type> argTypes;
  for (Type t : task.getArgumentTypes())
    argTypes.push_back(toMemRef(t));
  for (Type t : task.getResultTypes())
    argTypes.push_back(toMemRef(t));
  auto kernel = b.create<func::FuncOp>(task.getLoc(), kernelNameFor(task.getSymName()),
                                       b.getFunctionType(argTypes, {}));
  kernel->setAttr("kiln.kernel", b.getUnitAttr());
  symbols.insert(kernel);
  Block *entry = kernel.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  auto ret = b.create<func::ReturnOp>(task.getLoc());
  b.setInsertionPoint(ret);

  lowering::KernelBuilder kb(b, task.getLoc());
  kb.setAllocPoint(entry);
  unsigned numInputs = task.getNumArguments();
  for (unsigned i = 0; i < numInputs; ++i)
    kb.bind(task.getArgument(i), entry->getArgument(i));
  auto taskReturn = llvm::cast<func::ReturnOp>(task.getBody().front().getTerminator());
  for (Operation &op : task.getBody().front().without_terminator()) {
    auto it = registry().find(op.getName().getStringRef());
    if (it == registry().end())
      return op.emitOpError("has no lowering to the loop IR");
    Value result = op.getResult(0);
    Value out;
    for (auto [i, v] : llvm::enumerate(taskReturn.getOperands()))
      if (v == result)
        out = entry->getArgument(numInputs + i);
    if (!out)
      out = kb.allocate(toMemRef(result.getType()));
    kb.bind(result, out);
    kb.loc = op.getLoc();
    if (failed(it->second(kb, &op, out)))
      return failure();
  }
  return success();
}

struct LowerGraphToLoopPass : impl::LowerGraphToLoopBase<LowerGraphToLoopPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> tasks;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr("kiln.task"))
        tasks.push_back(f);
    for (func::FuncOp task : tasks)
      if (failed(lowerTask(task, symbols)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace kiln::conversion
