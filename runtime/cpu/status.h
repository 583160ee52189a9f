// Internal helpers for building kiln_status values; the C functions live in status.cpp.
#ifndef KILN_RUNTIME_CPU_STATUS_H
#define KILN_RUNTIME_CPU_STATUS_H

#include "kiln/runtime.h"

#include <string>

namespace kiln::rt {

// A heap status with `code` and `message`. Never returns NULL: when even the status cannot be
// allocated it returns a static out-of-memory status that kiln_status_free ignores.
kiln_status makeStatus(kiln_status_code code, std::string message);

// printf-style convenience for one-line messages.
kiln_status makeStatusf(kiln_status_code code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

} // namespace kiln::rt

#endif
