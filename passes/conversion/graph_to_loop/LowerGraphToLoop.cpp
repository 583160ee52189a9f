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

// How a pointwise-convolution task's 4-D values are flattened (see isPointwiseConvTask).
enum class Flatten { None, ChannelsFirst, ChannelsLast };

// A 4-D shape (lower ranks left-padded with 1s, as broadcasting aligns them).
SmallVector<int64_t> asRank4(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> padded(4 - shape.size(), 1);
  llvm::append_range(padded, shape);
  return padded;
}

// An NCHW tensor becomes an N x C x (H*W) buffer, an NHWC one N x (H*W) x C: same bytes, one
// spatial dim.
MemRefType toMemRef(Type type, Flatten flatten = Flatten::None) {
  auto tensor = llvm::cast<RankedTensorType>(type);
  if (flatten == Flatten::None)
    return lowering::bufferType(tensor.getShape(), tensor.getElementType());
  SmallVector<int64_t> s = asRank4(tensor.getShape());
  SmallVector<int64_t> shape = flatten == Flatten::ChannelsFirst
                                   ? SmallVector<int64_t>{s[0], s[1], s[2] * s[3]}
                                   : SmallVector<int64_t>{s[0], s[1] * s[2], s[3]};
  return lowering::bufferType(shape, tensor.getElementType());
}

// A 1x1, stride-1, unpadded 2-D convolution with its elementwise epilogue reads and writes
// each image as one contiguous row per channel (or, channels last, one row of channels per
// pixel): the whole task is lowered on flattened buffers, so the anchor is a matrix product
// whose pixel dim tiles freely.
Flatten pointwiseConvFlattening(func::FuncOp task) {
  Block &body = task.getBody().front();
  auto conv = llvm::dyn_cast<graph::ConvOp>(body.front());
  if (!conv || conv.getType().getRank() != 4)
    return Flatten::None;
  // The kernel's dims: the weight's last two, or channels last its first two.
  auto weight = conv.getWeight().getType().getShape();
  auto kernel = conv.getChannelsLast() ? weight.take_front(2) : weight.take_back(2);
  if (kernel[0] != 1 || kernel[1] != 1 ||
      llvm::any_of(conv.getStrides(), [](int64_t s) { return s != 1; }) ||
      llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; }))
    return Flatten::None;
  // The weight and bias keep their own layout: nothing else may read them.
  for (Value param : {conv.getWeight(), conv.getBias()})
    if (param && !param.hasOneUse())
      return Flatten::None;
  // Flattening H and W into one dim keeps broadcasting right only for values that have both
  // of them or neither: a [1, C, H, 1] operand would be read as if it had H*W pixels.
  unsigned firstSpatial = conv.getChannelsLast() ? 1 : 2;
  SmallVector<int64_t> outShape = asRank4(conv.getType().getShape());
  int64_t h = outShape[firstSpatial], w = outShape[firstSpatial + 1];
  auto flattens = [&](Value v) {
    if (v == conv.getWeight() || v == conv.getBias())
      return true;
    auto shape = llvm::cast<RankedTensorType>(v.getType()).getShape();
    if (shape.size() > 4)
      return false;
    SmallVector<int64_t> s = asRank4(shape);
    int64_t vh = s[firstSpatial], vw = s[firstSpatial + 1];
    return (vh == h && vw == w) || (vh == 1 && vw == 1);
  };
  for (Operation &op : body.without_terminator())
    if (!llvm::all_of(op.getOperands(), flattens) || !llvm::all_of(op.getResults(), flattens))
      return Flatten::None;
  return conv.getChannelsLast() ? Flatten::ChannelsLast : Flatten::ChannelsFirst;
}

const lowering::LoweringRegistry &registry() {
  static const lowering::LoweringRegistry instance = [] {
    lowering::LoweringRegistry r;
    lowering::populateElementwiseLowerings(r);
    lowering::populateConvLowerings(r);
    lowering::populateConvTransposeLowerings(r);
    lowering::populatePoolLowerings(r);
    lowering::populateMatMulLowerings(r);
    lowering::populateNormalizationLowerings(r);
    lowering::populateQuantizeLowerings(r);
    lowering::populateReduceLowerings(r);
    lowering::populateDataMovementLowerings(r);
    return r;
  }();
  return instance;
}

// The operands of `task` that every call from @main passes a constant (a weight, possibly
// reshaped): layout_rewrite may lay them out at compile time.
// A variant of a task (kiln-winograd) is not called yet: it will take its task's operands,
// with its transformed weight (a constant) in place of the weight.
static SmallVector<int64_t> constantOperands(ModuleOp module, func::FuncOp task) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  SmallVector<bool> constant(task.getNumArguments(), true);
  bool called = false;
  StringRef callee = task.getSymName();
  if (auto variantOf = task->getAttrOfType<FlatSymbolRefAttr>("kiln.variant_of"))
    callee = variantOf.getValue();
  if (main)
    main.walk([&](func::CallOp call) {
      if (call.getCallee() != callee)
        return;
      called = true;
      for (auto [i, operand] : llvm::enumerate(call.getOperands())) {
        Value v = operand;
        while (auto reshape = v.getDefiningOp<graph::ReshapeOp>())
          v = reshape.getInput();
        constant[i] = constant[i] && v.getDefiningOp<graph::ConstantOp>();
      }
    });
  SmallVector<int64_t> indices;
  for (auto [i, c] : llvm::enumerate(constant))
    if (called && c)
      indices.push_back(i);
  return indices;
}

LogicalResult lowerTask(func::FuncOp task, SymbolTable &symbols) {
  OpBuilder b(task);
  Flatten flatten = pointwiseConvFlattening(task);
  // In a flattened task the conv's weight and bias keep their shapes.
  auto isConvParam = [&](Value v) {
    auto conv = llvm::dyn_cast<graph::ConvOp>(task.getBody().front().front());
    return flatten != Flatten::None && conv && (v == conv.getWeight() || v == conv.getBias());
  };
  SmallVector<Type> argTypes;
  for (BlockArgument arg : task.getArguments())
    argTypes.push_back(toMemRef(arg.getType(), isConvParam(arg) ? Flatten::None : flatten));
  for (Type t : task.getResultTypes())
    argTypes.push_back(toMemRef(t, flatten));
  auto kernel = b.create<func::FuncOp>(task.getLoc(), kernelNameFor(task.getSymName()),
                                       b.getFunctionType(argTypes, {}));
  kernel->setAttr("kiln.kernel", b.getUnitAttr());
  if (SmallVector<int64_t> constants =
          constantOperands(task->getParentOfType<ModuleOp>(), task);
      !constants.empty())
    kernel->setAttr("kiln.constant_args", b.getDenseI64ArrayAttr(constants));
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
  // The kernel's output argument for a returned value, else a new buffer.
  auto bufferFor = [&](Value result) {
    for (auto [i, v] : llvm::enumerate(taskReturn.getOperands()))
      if (v == result)
        return Value(entry->getArgument(numInputs + i));
    return kb.allocate(toMemRef(result.getType(), flatten));
  };
  llvm::SmallPtrSet<Operation *, 4> fused; // epilogue ops lowered with their producer
  for (Operation &op : task.getBody().front().without_terminator()) {
    if (fused.contains(&op))
      continue;
    kb.loc = op.getLoc();
    // Ops written by several blocks compute their elementwise epilogue themselves.
    auto regionConv = llvm::dyn_cast<graph::ConvOp>(op);
    if (regionConv && !(lowering::readsInputByRegions(regionConv) &&
                        regionConv.getType().getElementType().isF32()))
      regionConv = nullptr;
    if (llvm::isa<graph::WinogradConvOp>(op) || regionConv) {
      SmallVector<Operation *> epilogue = lowering::fusableEpilogue(&op);
      Value out = bufferFor(epilogue.empty() ? op.getResult(0) : epilogue.back()->getResult(0));
      kb.bind(op.getResult(0), out);
      for (Operation *e : epilogue) {
        kb.bind(e->getResult(0), out);
        fused.insert(e);
      }
      if (failed(regionConv ? lowering::lowerConvByRegions(kb, regionConv, epilogue, out)
                            : lowering::lowerWinogradConv(kb, &op, epilogue, out)))
        return failure();
      continue;
    }
    auto it = registry().find(op.getName().getStringRef());
    if (it == registry().end())
      return op.emitOpError("has no lowering to the loop IR");
    Value out = bufferFor(op.getResult(0));
    kb.bind(op.getResult(0), out);
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
