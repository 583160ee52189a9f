// Links a model object with the Kiln runtime into a self-contained shared object.
#include "codegen/target/Linker.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>
#include <unistd.h>

namespace kiln::codegen {

std::string runtimeLibraryDir() {
  if (const char *env = getenv("KILN_RUNTIME_DIR"))
    return env;
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&runtimeLibraryDir), &info) && info.dli_fname) {
    llvm::SmallString<256> dir(info.dli_fname);
    llvm::sys::path::remove_filename(dir);
    // The compiler library sits in lib/; kilnc (statically linked) in bin/.
    if (llvm::sys::path::filename(dir) == "bin")
      llvm::sys::path::append(dir, "..", "lib");
    return std::string(dir);
  }
  return "";
}

bool linkSharedObject(const LinkInputs &inputs, std::string &error) {
  llvm::SmallString<256> objPath;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("kiln-model", "o", fd, objPath)) {
    error = "cannot create a temporary object file";
    return false;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << inputs.objectCode;
  }
  // A unique name beside the output: concurrent compiles to one path never share it, and the
  // final rename stays within one file system.
  llvm::SmallString<256> tmpOut;
  int tmpFd;
  if (llvm::sys::fs::createUniqueFile(inputs.outputPath + ".%%%%%%.tmp", tmpFd, tmpOut)) {
    llvm::sys::fs::remove(objPath);
    error = "cannot write next to " + inputs.outputPath;
    return false;
  }
  ::close(tmpFd);
  auto linker = llvm::sys::findProgramByName("clang++-19");
  if (!linker) {
    llvm::sys::fs::remove(objPath);
    error = "cannot find clang++-19 to link the model";
    return false;
  }
  std::string versionScript = "-Wl,--version-script=" + inputs.exportsMap;
  std::string outPath = std::string(tmpOut);
  std::string obj = std::string(objPath);
  llvm::SmallVector<llvm::StringRef> args = {*linker, "-shared", "-fuse-ld=lld", "-o", outPath,
                                             obj, "-Wl,--whole-archive", inputs.runtimeArchive,
                                             "-Wl,--no-whole-archive", versionScript,
                                             "-Wl,-z,defs", "-Wl,--gc-sections", "-Wl,-O2",
                                             "-lpthread", "-ldl", "-lm"};
  std::string message;
  llvm::SmallString<256> logPath;
  llvm::sys::fs::createTemporaryFile("kiln-link", "log", logPath);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(logPath),
                                                llvm::StringRef(logPath)};
  int rc = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, redirects, 0, 0, &message);
  llvm::sys::fs::remove(objPath);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    error = "linking failed" + (message.empty() ? "" : ": " + message) +
            (log ? ": " + (*log)->getBuffer().str() : "");
    llvm::sys::fs::remove(logPath);
    llvm::sys::fs::remove(tmpOut);
    return false;
  }
  llvm::sys::fs::remove(logPath);
  if (auto ec = llvm::sys::fs::rename(tmpOut, inputs.outputPath)) {
    llvm::sys::fs::remove(tmpOut);
    error = "cannot write " + inputs.outputPath + ": " + ec.message();
    return false;
  }
  return true;
}

} // namespace kiln::codegen
