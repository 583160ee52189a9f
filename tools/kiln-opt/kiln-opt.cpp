// kiln-opt: the MLIR opt driver with Kiln's dialects and passes, for lit tests.
#include "compiler/registration/Registration.h"
#include "passes/schedule/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

// Everything kiln-opt parses and runs: the shared registration, plus the schedule passes until
// compiler/registration registers them too (the lookup keeps this from registering twice).
static void registerKilnOpt(mlir::DialectRegistry &registry) {
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  if (!mlir::PassInfo::lookup("kiln-apply-schedule"))
    kiln::schedule::registerSchedulePasses();
}

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registerKilnOpt(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
