// The one place that registers the dialects and passes Kiln's tools use.
#include "compiler/registration/Registration.h"

#include "ir/graph/GraphDialect.h"
#include "ir/loop/LoopDialect.h"
#include "passes/conversion/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/schedule/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

namespace kiln {

void registerKilnDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::KilnGraphDialect, loop::KilnLoopDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::affine::AffineDialect, mlir::scf::SCFDialect, mlir::cf::ControlFlowDialect,
                  mlir::vector::VectorDialect, mlir::LLVM::LLVMDialect>();
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}

void registerKilnPasses() {
  graph::registerKilnGraphPasses();
  conversion::registerKilnConversionPasses();
  schedule::registerSchedulePasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
}

} // namespace kiln
