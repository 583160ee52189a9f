#include "autotuner/measure/worker/BuildCandidate.h"

#include "codegen/target/BuildModel.h"
#include "compiler/registration/Registration.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/Schedule.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

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

  codegen::TargetOptions target{request.mtriple, request.mcpu, /*optLevel=*/3};
  std::string code;
  if (!codegen::generateModelCode(*module, target, codegen::EmitKind::Object, code, error))
    return fail(error);
  return codegen::linkModel(code, request.outputPath, error);
}

} // namespace kiln::autotuner
