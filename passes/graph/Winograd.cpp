// The Winograd forms of 3x3 stride-1 convolutions (see Passes.td, kiln-winograd).
//
// Which form is fastest depends on the layer (a 7x7 image leaves a tile mostly empty, a
// 512-channel one makes the transformed weight 4x the size of the direct one), so by default
// the forms are tasks side by side and the tuner's measurements choose; mode=all exists to
// check and time the Winograd forms on their own.
#include "ir/graph/Winograd.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace kiln::graph {
#define GEN_PASS_DEF_WINOGRAD
#include "passes/graph/Passes.h.inc"
} // namespace kiln::graph

using namespace mlir;

namespace kiln::graph {
namespace {

// Below this many input channels the GEMMs are too thin to pay for the transforms.
constexpr int64_t kMinChannels = 16;

struct Candidate {
  func::FuncOp task;
  func::CallOp call;
  ConvOp conv;
  unsigned weightArg;
  ConstantOp weight;
};

std::optional<Candidate> match(func::FuncOp task, func::CallOp call) {
  auto conv = llvm::dyn_cast<ConvOp>(task.getBody().front().front());
  if (!conv || !conv.getChannelsLast() || conv.getGroup() != 1 ||
      conv.getType().getRank() != 4 || !conv.getType().getElementType().isF32())
    return std::nullopt;
  ArrayRef<int64_t> weightShape = conv.getWeight().getType().getShape();
  if (weightShape[0] != 3 || weightShape[1] != 3 || weightShape[2] < kMinChannels ||
      llvm::any_of(conv.getStrides(), [](int64_t s) { return s != 1; }) ||
      llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; }))
    return std::nullopt;
  auto arg = llvm::dyn_cast<BlockArgument>(conv.getWeight());
  if (!arg || arg.getOwner()->getParentOp() != task || !arg.hasOneUse())
    return std::nullopt;
  auto weight = call.getOperand(arg.getArgNumber()).getDefiningOp<ConstantOp>();
  if (!weight)
    return std::nullopt;
  return Candidate{task, call, conv, arg.getArgNumber(), weight};
}

// The tiles worth trying: F(4x4) needs both output dims of at least 4.
SmallVector<int64_t> tilesFor(ConvOp conv) {
  auto shape = conv.getType().getShape();
  if (shape[1] >= 4 && shape[2] >= 4)
    return {2, 4};
  return {2};
}

// Replaces `task`'s convolution by kg.winograd_conv of its weight argument, retyped to the
// transformed weight.
void rewriteTask(func::FuncOp task, unsigned weightArg, Type transformedType, int64_t tile) {
  auto conv = llvm::cast<ConvOp>(task.getBody().front().front());
  BlockArgument weight = task.getArgument(weightArg);
  weight.setType(transformedType);
  SmallVector<Type> inputs(task.getBody().front().getArgumentTypes());
  task.setFunctionType(FunctionType::get(task.getContext(), inputs, task.getResultTypes()));
  OpBuilder b(conv);
  auto winograd = b.create<WinogradConvOp>(conv.getLoc(), conv.getInput(), weight,
                                           conv.getBias(), conv.getPadsAttr(),
                                           b.getI64IntegerAttr(tile));
  conv.getResult().replaceAllUsesWith(winograd.getResult());
  conv.erase();
}

struct WinogradPass : impl::WinogradBase<WinogradPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (mode != "variants" && mode != "all") {
      module.emitError("kiln-winograd: unknown mode '") << mode << "' (variants or all)";
      return signalPassFailure();
    }
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return;
    SymbolTable symbols(module);
    SmallVector<Candidate> candidates;
    main.walk([&](func::CallOp call) {
      auto task = symbols.lookup<func::FuncOp>(call.getCallee());
      if (task && task->hasAttr("kiln.task"))
        if (std::optional<Candidate> c = match(task, call))
          candidates.push_back(*c);
    });
    for (Candidate &c : candidates) {
      SmallVector<int64_t> tiles = tilesFor(c.conv);
      if (mode == "all")
        tiles = {tiles.back()};
      for (int64_t tile : tiles) {
        ElementsAttr transformed = transformWinogradFilter(c.weight.getValue(), tile);
        if (!transformed) {
          c.weight.emitError("kiln-winograd: cannot read the weight of ") << c.task.getSymName();
          return signalPassFailure();
        }
        if (mode == "all") {
          OpBuilder b(c.call);
          auto constant = b.create<ConstantOp>(c.weight.getLoc(), transformed);
          c.call.setOperand(c.weightArg, constant.getResult());
          if (c.weight->use_empty())
            c.weight->erase();
          rewriteTask(c.task, c.weightArg, transformed.getType(), tile);
          continue;
        }
        auto variant = llvm::cast<func::FuncOp>(c.task->clone());
        variant.setSymName((c.task.getSymName() + "_winograd" + std::to_string(tile)).str());
        module.getBody()->getOperations().insertAfter(c.task->getIterator(), variant);
        symbols.insert(variant);
        rewriteTask(variant, c.weightArg, transformed.getType(), tile);
        OpBuilder b(variant);
        variant->setAttr("kiln.variant_of", FlatSymbolRefAttr::get(c.task.getSymNameAttr()));
        variant->setAttr("kiln.variant_weight_arg", b.getI64IntegerAttr(c.weightArg));
        variant->setAttr("kiln.variant_weight", transformed);
      }
    }
  }
};

} // namespace
} // namespace kiln::graph
