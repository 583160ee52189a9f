// LLVM-dialect module -> optimized LLVM IR -> assembly or object code for a target.
#include "codegen/target/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace kiln::codegen {

static void initializeTargets() {
  static bool done = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)done;
}

static std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetOptions &options,
                                                                std::string &error) {
  initializeTargets();
  std::string triple = options.triple.empty() ? llvm::sys::getDefaultTargetTriple() : options.triple;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    error = "unknown target triple '" + triple + "': " + error;
    return nullptr;
  }
  std::string cpu = options.cpu, features;
  bool host = options.triple.empty() || options.triple == llvm::sys::getDefaultTargetTriple();
  if (cpu == "native") {
    if (host) {
      cpu = llvm::sys::getHostCPUName().str();
      llvm::SubtargetFeatures f;
      for (auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
        f.AddFeature(name, enabled);
      features = f.getString();
    } else {
      cpu = "generic";
    }
  }
  // x86 CPUs with AVX-512 are tuned to prefer 256-bit vectors; Kiln's kernels want zmm.
  if (llvm::Triple(triple).isX86())
    features += std::string(features.empty() ? "" : ",") + "-prefer-256-bit";
  llvm::TargetOptions targetOptions;
  auto level = options.optLevel <= 0 ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    error = "cannot create a target machine for '" + triple + "' cpu '" + cpu + "'";
  return tm;
}

static void optimize(llvm::Module &module, llvm::TargetMachine &tm, int optLevel) {
  if (optLevel <= 0)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 1   ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  pb.buildPerModuleDefaultPipeline(level).run(module, mam);
}

bool emitMachineCode(mlir::ModuleOp module, const TargetOptions &options, EmitKind kind,
                     std::string &output, std::string &error) {
  mlir::registerBuiltinDialectTranslation(*module.getContext());
  mlir::registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  auto llvmModule = mlir::translateModuleToLLVMIR(module, llvmContext, "kiln_model");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return false;
  }
  auto tm = createTargetMachine(options, error);
  if (!tm)
    return false;
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple().str());
  optimize(*llvmModule, *tm, options.optLevel);
  llvm::raw_string_ostream os(output);
  if (kind == EmitKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return true;
  }
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream bos(buffer);
  llvm::legacy::PassManager pm;
  auto fileType = kind == EmitKind::Assembly ? llvm::CodeGenFileType::AssemblyFile
                                             : llvm::CodeGenFileType::ObjectFile;
  if (tm->addPassesToEmitFile(pm, bos, nullptr, fileType)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(*llvmModule);
  output.assign(buffer.begin(), buffer.end());
  return true;
}

} // namespace kiln::codegen
