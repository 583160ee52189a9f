// The one place that registers the dialects and passes Kiln's tools use.
#ifndef KILN_COMPILER_REGISTRATION_REGISTRATION_H
#define KILN_COMPILER_REGISTRATION_REGISTRATION_H

namespace mlir {
class DialectRegistry;
}

namespace kiln {

// Kiln's dialects and the upstream ones its pipeline produces, with their interfaces.
void registerKilnDialects(mlir::DialectRegistry &registry);

// Kiln's passes and pipelines, for kiln-opt.
void registerKilnPasses();

} // namespace kiln

#endif
