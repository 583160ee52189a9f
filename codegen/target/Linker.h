// Links a model object with the Kiln runtime into a self-contained shared object.
#ifndef KILN_CODEGEN_TARGET_LINKER_H
#define KILN_CODEGEN_TARGET_LINKER_H

#include <string>

namespace kiln::codegen {

struct LinkInputs {
  std::string objectCode;    // the model's object file contents
  std::string runtimeArchive; // libkiln_runtime.a
  std::string exportsMap;     // version script exporting the C API only
  std::string outputPath;
};

// Writes the .so atomically: a temporary file next to the output, renamed on success, so a
// failed link never leaves a partial model behind.
bool linkSharedObject(const LinkInputs &inputs, std::string &error);

// The folder holding libkiln_runtime.a and the exports map (next to the compiler library).
std::string runtimeLibraryDir();

} // namespace kiln::codegen

#endif
