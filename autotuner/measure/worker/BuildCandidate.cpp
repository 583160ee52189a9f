#include "autotuner/measure/worker/BuildCandidate.h"

#include "codegen/target/BuildModel.h"
#include "compiler/registration/Registration.h"
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/Schedule.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/BitVector.h"

#include <random>

using namespace mlir;

namespace kiln::autotuner {

static func::FuncOp onlyKernel(ModuleOp module) {
  func::FuncOp kernel;
  for (auto f : module.getOps<func::FuncOp>())
    if (f->hasAttr("kiln.kernel")) {
      if (kernel)
        return {};
      kernel = f;
    }
  return kernel;
}

// In the model, the kernel's weights (kiln.constant_args) are constants, so a layout_rewrite
// of one runs at compile time. The task module passes them as @main inputs (to stay small):
// they become seeded pseudo-random float constants here, the same for every candidate of the
// task, so that what is timed is the kernel the model will run.
static void materializeConstantArguments(ModuleOp module, func::FuncOp kernel) {
  auto constants = kernel->getAttrOfType<DenseI64ArrayAttr>("kiln.constant_args");
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!constants || !main)
    return;
  OpBuilder b = OpBuilder::atBlockBegin(&main.getBody().front());
  llvm::BitVector materialized(main.getNumArguments());
  for (int64_t i : constants.asArrayRef()) {
    if (i >= int64_t(main.getNumArguments()))
      continue;
    BlockArgument arg = main.getArgument(i);
    auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.getElementType().isF32())
      continue;
    std::mt19937 rng(uint32_t(i) + 1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> values(type.getNumElements());
    for (float &v : values)
      v = uniform(rng);
    Value weight = b.create<graph::ConstantOp>(
        main.getLoc(), graph::makeResourceF32(type, values, "kiln_tuning_weight"));
    arg.replaceAllUsesWith(weight);
    materialized.set(i);
  }
  main.eraseArguments(materialized);
}

bool buildCandidate(const BuildRequest &request, std::string &error) {
  DialectRegistry registry;
  registerKilnDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      diagnostics += (diagnostics.empty() ? "" : "; ") + d.str();
    return success();
  });
  auto fail = [&](const std::string &what) {
    error = what + (diagnostics.empty() ? "" : ": " + diagnostics);
    return false;
  };

  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(request.taskModulePath, &ctx);
  if (!module)
    return fail("cannot parse task module " + request.taskModulePath);
  func::FuncOp kernel = onlyKernel(*module);
  if (!kernel)
    return fail("task module " + request.taskModulePath + " must hold exactly one kernel");
  schedule::Schedule s(kernel);
  if (request.trace == "default") {
    if (failed(schedule::applyDefaultSchedule(kernel, s)))
      return fail("the default schedule failed");
  } else {
    llvm::Expected<schedule::Trace> trace = schedule::Trace::parse(request.trace);
    if (!trace)
      return fail("malformed trace: " + llvm::toString(trace.takeError()));
    if (failed(s.replay(*trace)))
      return fail("trace does not replay: " + s.lastError());
  }
  if (failed(verify(kernel)))
    return fail("scheduled kernel does not verify");

  materializeConstantArguments(*module, kernel);
  codegen::TargetOptions target{request.mtriple, request.mcpu, /*optLevel=*/3};
  std::string code;
  if (!codegen::generateModelCode(*module, target, codegen::EmitKind::Object, code, error))
    return fail(error);
  return codegen::linkModel(code, request.outputPath, error);
}

} // namespace kiln::autotuner
