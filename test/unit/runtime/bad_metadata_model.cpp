// A model whose metadata is malformed (an unknown dtype on line 3): loading it must give a
// clear error from every API call that needs the metadata, never a crash.
#include "kiln/model_abi.h"

extern "C" const char kiln_model_metadata[] = "kiln-model 1\n"
                                              "workspace 0\n"
                                              "input x float99 1 4\n"
                                              "output y float32 1 4\n";

extern "C" int32_t kiln_model_entry(void *const *, void *, void *, const int64_t *) { return 0; }
