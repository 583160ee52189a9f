// Emits the AOT executor in the LLVM dialect: weights, metadata, task wrappers, entry point.
#include "codegen/cpu/Executor.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace kiln::codegen {

namespace {

// A 1-D view of a constant so it maps onto an LLVM array global.
ElementsAttr flatten(ElementsAttr value) {
  auto flatType = RankedTensorType::get({value.getNumElements()}, value.getElementType());
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(flatType);
  auto resource = llvm::cast<DenseResourceElementsAttr>(value);
  return DenseResourceElementsAttr::get(flatType, resource.getRawHandle());
}

struct EntryBuilder {
  OpBuilder &b;
  Location loc;
  Type ptr, i64;

  Value constI64(int64_t v) { return b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(v)); }
  Value gep(Value base, Type elem, int64_t index) {
    return b.create<LLVM::GEPOp>(loc, ptr, elem, base, ArrayRef<LLVM::GEPArg>{int32_t(index)});
  }
};

// void <stage>_task(void **args, int64_t begin, int64_t end): unpacks args, calls the stage.
LLVM::LLVMFuncOp emitTaskWrapper(OpBuilder &b, ModuleOp module, LLVM::LLVMFuncOp stage) {
  Location loc = stage.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto i64 = b.getI64Type();
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(b.getContext()), {ptr, i64, i64});
  b.setInsertionPointToEnd(module.getBody());
  auto task = b.create<LLVM::LLVMFuncOp>(loc, (stage.getName() + "_task").str(), type,
                                         LLVM::Linkage::Internal);
  Block *entry = task.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  EntryBuilder eb{b, loc, ptr, i64};
  unsigned numPointers = stage.getNumArguments() - 2;
  SmallVector<Value> args;
  for (unsigned i = 0; i < numPointers; ++i)
    args.push_back(b.create<LLVM::LoadOp>(loc, ptr, eb.gep(entry->getArgument(0), ptr, i)));
  args.push_back(entry->getArgument(1));
  args.push_back(entry->getArgument(2));
  b.create<LLVM::CallOp>(loc, stage, args);
  b.create<LLVM::ReturnOp>(loc, ValueRange{});
  return task;
}

// LLVM integer arithmetic for evaluateStop.
struct LLVMOps {
  using Value = mlir::Value;
  EntryBuilder &eb;
  Value constant(int64_t v) { return eb.constI64(v); }
  Value add(Value x, Value y) { return eb.b.create<LLVM::AddOp>(eb.loc, x, y); }
  Value sub(Value x, Value y) { return eb.b.create<LLVM::SubOp>(eb.loc, x, y); }
  Value mul(Value x, Value y) { return eb.b.create<LLVM::MulOp>(eb.loc, x, y); }
  Value div(Value x, Value y) { return eb.b.create<LLVM::SDivOp>(eb.loc, x, y); }
  Value max(Value x, Value y) { return eb.b.create<LLVM::SMaxOp>(eb.loc, x, y); }
};

// A parallel stage's run-time iteration count (LoopBounds.h), from the entry's symbols.
Value emitIterationCount(EntryBuilder &eb, Value symbols, const Stage &stage) {
  LLVMOps ops{eb};
  Value count;
  for (const StopTerm &t : stage.dynamicIterations) {
    Value size = eb.b.create<LLVM::LoadOp>(eb.loc, eb.i64, eb.gep(symbols, eb.i64, t.symbol));
    Value term = evaluateStop(t, size, ops);
    count = count ? ops.max(count, term) : term;
  }
  return eb.b.create<LLVM::SMinOp>(eb.loc, count, eb.constI64(stage.numIterations));
}

} // namespace

LogicalResult emitExecutor(ModuleOp module, const ExecutionPlan &plan) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = b.getI64Type();
  auto voidType = LLVM::LLVMVoidType::get(ctx);
  b.setInsertionPointToEnd(module.getBody());

  // Weights and metadata.
  std::vector<LLVM::GlobalOp> weights;
  for (auto [i, value] : llvm::enumerate(plan.weights)) {
    auto type = LLVM::LLVMArrayType::get(value.getElementType(), value.getNumElements());
    auto global = b.create<LLVM::GlobalOp>(loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
                                           "kiln_weight_" + std::to_string(i), flatten(value),
                                           /*alignment=*/64);
    weights.push_back(global);
  }
  std::string text = plan.metadata;
  text.push_back('\0');
  auto metaType = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
  b.create<LLVM::GlobalOp>(loc, metaType, true, LLVM::Linkage::External, "kiln_model_metadata",
                           b.getStringAttr(text));

  auto parallelFor = b.create<LLVM::LLVMFuncOp>(
      loc, "kiln_rt_parallel_for", LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, ptr, i64}));

  // Task wrappers for every stage.
  llvm::StringMap<LLVM::LLVMFuncOp> tasks;
  for (const KernelCall &call : plan.calls)
    for (const Stage &stage : call.kernel.stages) {
      if (tasks.count(stage.name))
        continue;
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(stage.name);
      if (!fn)
        return module.emitError("stage function ") << stage.name << " is missing";
      fn.setLinkage(LLVM::Linkage::Internal);
      tasks[stage.name] = emitTaskWrapper(b, module, fn);
    }

  // int32_t kiln_model_entry(void *const *io, void *workspace, void *rt, const int64_t *symbols)
  b.setInsertionPointToEnd(module.getBody());
  auto i32 = b.getI32Type();
  auto entryFn = b.create<LLVM::LLVMFuncOp>(loc, "kiln_model_entry",
                                            LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr, ptr}));
  Block *entry = entryFn.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  EntryBuilder eb{b, loc, ptr, i64};
  Value io = entry->getArgument(0), workspace = entry->getArgument(1), rt = entry->getArgument(2),
        symbols = entry->getArgument(3);
  size_t maxArgs = 1;
  for (const KernelCall &call : plan.calls)
    maxArgs = std::max(maxArgs, call.args.size());
  Value argArray = b.create<LLVM::AllocaOp>(loc, ptr, ptr, eb.constI64(maxArgs), 16);
  auto resolve = [&](const BufferRef &ref) -> Value {
    switch (ref.kind) {
    case BufferRef::Input:
    case BufferRef::Output:
      return b.create<LLVM::LoadOp>(loc, ptr, eb.gep(io, ptr, ref.index));
    case BufferRef::Weight:
      return b.create<LLVM::AddressOfOp>(loc, weights[ref.index]);
    case BufferRef::Workspace:
      return eb.gep(workspace, b.getI8Type(), ref.offset);
    case BufferRef::Symbols:
      return symbols;
    }
    llvm_unreachable("buffer kind");
  };
  for (const KernelCall &call : plan.calls) {
    for (auto [i, ref] : llvm::enumerate(call.args))
      b.create<LLVM::StoreOp>(loc, resolve(ref), eb.gep(argArray, ptr, i));
    for (const Stage &stage : call.kernel.stages) {
      Value fn = b.create<LLVM::AddressOfOp>(loc, tasks[stage.name]);
      Value iterations = stage.dynamicIterations.empty()
                             ? eb.constI64(stage.numIterations)
                             : emitIterationCount(eb, symbols, stage);
      b.create<LLVM::CallOp>(loc, parallelFor, ValueRange{rt, fn, argArray, iterations});
    }
  }
  for (const auto &[src, j] : plan.outputCopies) {
    Value dst = b.create<LLVM::LoadOp>(loc, ptr, eb.gep(io, ptr, plan.numInputs + j));
    b.create<LLVM::MemcpyOp>(loc, dst, resolve(src), eb.constI64(plan.outputBytes[j]), false);
  }
  // The number of the first failed check, or 0.
  Value failed = b.create<LLVM::ConstantOp>(loc, i32, 0);
  for (size_t k = plan.checkFlags.size(); k-- > 0;) {
    Value flag = b.create<LLVM::LoadOp>(loc, i32, resolve(plan.checkFlags[k]));
    Value zero = b.create<LLVM::ConstantOp>(loc, i32, 0);
    Value isFailed = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, flag, zero);
    failed = b.create<LLVM::SelectOp>(loc, isFailed,
                                      b.create<LLVM::ConstantOp>(loc, i32, int32_t(k + 1)), failed);
  }
  b.create<LLVM::ReturnOp>(loc, failed);
  return success();
}

} // namespace kiln::codegen
