// The compile pipeline, as numbered steps; each can be reproduced with kiln-opt.
#include "compiler/driver/Compiler.h"

#include "autotuner/database/Database.h"
#include "autotuner/task/ApplyRecords.h"
#include "autotuner/task/Task.h"
#include "autotuner/task/Variants.h"
#include "autotuner/task_scheduler/Interrupt.h"
#include "autotuner/task_scheduler/TuningSession.h"
#include "codegen/target/BuildModel.h"
#include "compiler/driver/ShapeProbes.h"
#include "compiler/frontend/onnx/Importer.h"
#include "compiler/registration/Registration.h"
#include "passes/conversion/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/schedule/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln::driver {

bool parseEmit(const std::string &name, Emit &emit) {
  static const std::pair<const char *, Emit> table[] = {
      {"graph", Emit::Graph}, {"loop", Emit::Loop}, {"llvm", Emit::LLVM},
      {"asm", Emit::Asm},     {"obj", Emit::Object}, {"so", Emit::SharedObject}};
  for (auto &[n, e] : table)
    if (name == n) {
      emit = e;
      return true;
    }
  return false;
}

namespace {

// Collects MLIR diagnostics into one line instead of printing them.
struct DiagnosticCollector {
  std::string messages;
  ScopedDiagnosticHandler handler;
  explicit DiagnosticCollector(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return success();
          std::string where;
          if (auto name = llvm::dyn_cast<NameLoc>(diag.getLocation()))
            where = "node '" + name.getName().str() + "': ";
          else if (auto fused = llvm::dyn_cast<FusedLoc>(diag.getLocation()))
            for (Location l : fused.getLocations())
              if (auto n = llvm::dyn_cast<NameLoc>(l))
                where = "node '" + n.getName().str() + "': ";
          if (!messages.empty())
            messages += "; ";
          messages += where + diag.str();
          return success();
        }) {}
};

std::string printModule(ModuleOp module, bool onlyKernels) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  flags.elideLargeElementsAttrs(16);
  flags.elideLargeResourceString(64);
  if (!onlyKernels) {
    module.print(os, flags);
    return text;
  }
  for (Operation &op : module.getBody()->getOperations())
    if (op.hasAttr("kiln.kernel")) {
      op.print(os, flags);
      os << "\n\n";
    }
  return text;
}

// A context with Kiln's dialects loaded and its diagnostics collected.
struct CompilerContext {
  DialectRegistry registry;
  MLIRContext ctx;
  DiagnosticCollector diagnostics;
  CompilerContext() : registry(makeRegistry()), ctx(registry), diagnostics(ctx) {
    ctx.loadAllAvailableDialects();
  }
  static DialectRegistry makeRegistry() {
    DialectRegistry r;
    registerKilnDialects(r);
    return r;
  }
};

bool checkOptions(const CompileOptions &options, std::string &error) {
  if (options.target != "cpu")
    error = "unsupported target '" + options.target + "' (supported: cpu)";
  else if (options.optLevel < 0 || options.optLevel > 3)
    error = "optimization level must be 0..3";
  else if (options.convAlgorithm != "auto" && options.convAlgorithm != "direct" &&
           options.convAlgorithm != "winograd")
    error = "unknown conv algorithm '" + options.convAlgorithm +
            "' (expected auto, direct or winograd)";
  return error.empty();
}

enum class Stop { Graph, Lowered, Scheduled };

// Steps 1-3 with every input's shape fixed: import ONNX into the kg dialect; simplify the
// graph (fold constants and shape arithmetic, recognize written-out layer norms, BatchNorm into
// conv, convolutions channels last);
// fuse into tasks, give 3x3 convolutions their Winograd forms (kiln-winograd's `winograd`
// mode, none when empty) and, unless `stop` is Graph, lower each task to a kl kernel.
OwningOpRef<ModuleOp> importAndFuse(MLIRContext &ctx, const std::string &modelPath,
                                    const onnx_frontend::ImportOptions &importOptions,
                                    bool channelsLast, const std::string &winograd, Stop stop,
                                    DiagnosticCollector &diagnostics, std::string &error) {
  OwningOpRef<ModuleOp> module = onnx_frontend::importOnnxFile(ctx, modelPath, importOptions, error);
  if (!module)
    return module;
  PassManager pm(&ctx);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(graph::createFuseLayerNorm());
  pm.addNestedPass<func::FuncOp>(graph::createFoldBatchNorm());
  pm.addPass(createCanonicalizerPass());
  if (channelsLast) {
    pm.addNestedPass<func::FuncOp>(graph::createChannelsLast());
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(graph::createExtractTasks());
  if (!winograd.empty())
    pm.addPass(graph::createWinograd(graph::WinogradOptions{winograd}));
  if (stop != Stop::Graph)
    pm.addPass(conversion::createLowerGraphToLoop());
  if (failed(pm.run(*module))) {
    error = "graph compilation of " + modelPath + " failed" +
            (diagnostics.messages.empty() ? "" : ": " + diagnostics.messages);
    return nullptr;
  }
  return module;
}

// Steps 1-4: import, fuse and lower the model (keeping its symbolic dims symbolic, see
// ShapeProbes.h), then schedule the kernels (from the tuning database when one is given, else
// by the default rules at -O1 and above).
OwningOpRef<ModuleOp> importAndLower(MLIRContext &ctx, const std::string &modelPath,
                                     const CompileOptions &options, Stop stop,
                                     DiagnosticCollector &diagnostics, std::string &error) {
  auto failWith = [&](const std::string &what) {
    error = what + (diagnostics.messages.empty() ? "" : ": " + diagnostics.messages);
    return OwningOpRef<ModuleOp>();
  };
  SymbolicInputs symbols;
  if (!findSymbolicInputs(modelPath, options, symbols, error))
    return nullptr;
  bool channelsLast = options.channelsLast && options.optLevel >= 1;
  // Without a database nothing could choose a variant: only the direct forms are built.
  std::string winograd;
  if (channelsLast && options.convAlgorithm == "winograd")
    winograd = "all";
  else if (channelsLast && options.convAlgorithm == "auto" && !options.tuningDb.empty())
    winograd = "variants";
  auto lowerAt = [&](const std::vector<int64_t> &values) {
    onnx_frontend::ImportOptions importOptions{options.inputShapes};
    for (auto &shape : symbols.shapesAt(values))
      importOptions.inputShapes.push_back(shape);
    return importAndFuse(ctx, modelPath, importOptions, channelsLast, winograd, stop,
                         diagnostics, error);
  };
  OwningOpRef<ModuleOp> module = symbols.empty() || stop == Stop::Graph
                                     ? lowerAt(symbols.maxima())
                                     : lowerWithSymbols(symbols, lowerAt, error);
  // A Winograd form's tile count is ceil(H / m): a symbolic image size cannot stay symbolic
  // through it. Forms the tuner may choose are an optimization; without them the direct
  // convolutions may still follow the symbol.
  if (!module && !symbols.empty() && winograd == "variants") {
    winograd.clear();
    error.clear();
    diagnostics.messages.clear();
    module = lowerWithSymbols(symbols, lowerAt, error);
  }
  if (!module || stop != Stop::Scheduled || options.optLevel < 1)
    return module;

  // 4. Schedule the kernels.
  bool fromRecords = !options.tuningDb.empty();
  if (!fromRecords) {
    PassManager pm(&ctx);
    pm.addPass(schedule::createDefaultSchedule());
    if (failed(pm.run(*module)))
      return failWith("scheduling the kernels of " + modelPath + " failed");
    return module;
  }
  auto db = autotuner::Database::open(options.tuningDb, /*create=*/false);
  if (!db) {
    error = llvm::toString(db.takeError());
    return nullptr;
  }
  std::string target = autotuner::targetDescription(options.mcpu, options.mtriple);
  std::vector<std::string> choices;
  if (failed(autotuner::chooseVariants(*module, db->get(), target, choices)))
    return failWith("choosing convolution algorithms from " + options.tuningDb + " failed");
  autotuner::ApplyStats stats;
  if (failed(autotuner::scheduleFromRecords(*module, **db, target, stats)))
    return failWith("scheduling from " + options.tuningDb + " failed");
  for (const std::string &warning : stats.warnings)
    llvm::errs() << "kiln: warning: " << warning << "\n";
  return module;
}

} // namespace

bool check(const std::string &modelPath, const CompileOptions &options,
           std::vector<std::string> &problems) {
  {
    MLIRContext ctx;
    SymbolicInputs symbols;
    std::string error;
    if (!findSymbolicInputs(modelPath, options, symbols, error)) {
      problems = {error};
      return false;
    }
    onnx_frontend::ImportOptions importOptions{options.inputShapes};
    for (auto &shape : symbols.shapesAt(symbols.maxima()))
      importOptions.inputShapes.push_back(shape);
    problems = onnx_frontend::checkOnnxFile(ctx, modelPath, importOptions);
    if (!problems.empty())
      return false;
  }
  // Every node imports: what is left to find is a kernel the lowering cannot build.
  std::string text, error;
  CompileOptions loopsOnly = options;
  loopsOnly.optLevel = 0;
  if (compile(modelPath, loopsOnly, Emit::Loop, "", text, error))
    return true;
  problems.push_back(error);
  return false;
}

bool compile(const std::string &modelPath, const CompileOptions &options, Emit emit,
             const std::string &outputPath, std::string &text, std::string &error) {
  if (!checkOptions(options, error))
    return false;
  CompilerContext context;
  MLIRContext &ctx = context.ctx;
  DiagnosticCollector &diagnostics = context.diagnostics;
  auto failWith = [&](const std::string &what) {
    error = what + (diagnostics.messages.empty() ? "" : ": " + diagnostics.messages);
    return false;
  };

  OwningOpRef<ModuleOp> module =
      importAndLower(ctx, modelPath, options, emit == Emit::Graph ? Stop::Graph : Stop::Scheduled,
                     diagnostics, error);
  if (!module)
    return false;
  if (emit == Emit::Graph || emit == Emit::Loop) {
    text = printModule(*module, emit == Emit::Loop);
    return true;
  }

  // 5. Outline stages, plan the executor and memory, lower to LLVM, emit code.
  codegen::TargetOptions target{options.mtriple, options.mcpu, options.optLevel};
  codegen::EmitKind kind = emit == Emit::LLVM  ? codegen::EmitKind::LLVMIR
                           : emit == Emit::Asm ? codegen::EmitKind::Assembly
                                               : codegen::EmitKind::Object;
  std::string code;
  if (!codegen::generateModelCode(*module, target, kind, code, error))
    return diagnostics.messages.empty() ? false : failWith(error);
  if (emit == Emit::LLVM || emit == Emit::Asm) {
    text = std::move(code);
    return true;
  }
  if (emit == Emit::Object) {
    llvm::SmallString<256> tmp;
    int fd;
    std::error_code ec = llvm::sys::fs::createUniqueFile(outputPath + ".%%%%%%.tmp", fd, tmp);
    if (!ec) {
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      os << code;
    }
    if (ec || llvm::sys::fs::rename(tmp, outputPath)) {
      llvm::sys::fs::remove(tmp);
      error = "cannot write " + outputPath;
      return false;
    }
    return true;
  }
  if (!options.mtriple.empty() && options.mtriple != llvm::sys::getDefaultTargetTriple()) {
    error = "linking a .so is only supported for the host; use --emit=obj for " + options.mtriple;
    return false;
  }
  return codegen::linkModel(code, outputPath, error);
}

bool tune(const std::string &modelPath, const CompileOptions &options, const TuneRequest &request,
          std::string &report, bool &interrupted, std::string &error) {
  if (!checkOptions(options, error))
    return false;
  if (options.tuningDb.empty()) {
    error = "tuning needs a tuning database (--tuning-db FILE)";
    return false;
  }
  if (request.trials < 0 || request.trialsPerTask < 0) {
    error = "the number of trials must not be negative";
    return false;
  }
  autotuner::InterruptGuard interruptible; // Ctrl-C while importing stops tuning cleanly too
  CompilerContext context;
  OwningOpRef<ModuleOp> module = importAndLower(context.ctx, modelPath, options, Stop::Lowered,
                                                context.diagnostics, error);
  if (!module)
    return false;
  autotuner::TuneOptions tuneOptions;
  tuneOptions.databasePath = options.tuningDb;
  tuneOptions.trials = request.trials;
  tuneOptions.trialsPerTask = request.trialsPerTask;
  tuneOptions.mcpu = options.mcpu;
  tuneOptions.mtriple = options.mtriple;
  tuneOptions.threads = request.threads;
  tuneOptions.seed = request.seed;
  tuneOptions.progress = request.progress;
  tuneOptions.workDir = request.workDir;
  autotuner::TuneSummary summary;
  if (!autotuner::tuneModel(*module, tuneOptions, summary, error))
    return false;
  report = summary.table();
  interrupted = summary.interrupted;
  return true;
}

} // namespace kiln::driver
