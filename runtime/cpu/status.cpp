// kiln_status: a heap-allocated (code, message) pair; NULL means success.
#include "runtime/cpu/status.h"

#include <cstdarg>
#include <cstdio>
#include <new>

struct kiln_status_s {
  kiln_status_code code;
  std::string message;
};

namespace kiln::rt {
namespace {

// Returned when allocating a status fails, so reporting out-of-memory cannot itself fail. Its
// message fits std::string's inline buffer, so building it on first use does not allocate.
kiln_status outOfMemoryStatus() {
  static kiln_status_s status{KILN_STATUS_OUT_OF_MEMORY, "out of memory"};
  return &status;
}

} // namespace

kiln_status makeStatus(kiln_status_code code, std::string message) {
  auto *status = new (std::nothrow) kiln_status_s{code, std::move(message)};
  return status ? status : outOfMemoryStatus();
}

kiln_status makeStatusf(kiln_status_code code, const char *format, ...) {
  va_list ap, again;
  va_start(ap, format);
  va_copy(again, ap);
  int length = std::vsnprintf(nullptr, 0, format, ap);
  va_end(ap);
  kiln_status status = outOfMemoryStatus();
  try {
    std::string message(length > 0 ? size_t(length) : 0, '\0');
    std::vsnprintf(message.data(), message.size() + 1, format, again);
    status = makeStatus(code, std::move(message));
  } catch (const std::bad_alloc &) {
  }
  va_end(again);
  return status;
}

} // namespace kiln::rt

extern "C" {

KILN_API kiln_status_code kiln_status_get_code(kiln_status status) {
  return status ? status->code : KILN_STATUS_OK;
}

KILN_API const char *kiln_status_get_message(kiln_status status) {
  return status ? status->message.c_str() : "ok";
}

KILN_API void kiln_status_free(kiln_status status) {
  if (status && status != kiln::rt::outOfMemoryStatus())
    delete status;
}

} // extern "C"
