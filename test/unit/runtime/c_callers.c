/* C callers of the runtime API: proves runtime.h compiles as C, and passes dtype values outside
 * the enum the way a C program may (see capi_test.cpp). */
#include "kiln/runtime.h"

size_t kilnTestDtypeSize(int dtype) { return kiln_dtype_size((kiln_dtype)dtype); }

const char *kilnTestDtypeName(int dtype) { return kiln_dtype_name((kiln_dtype)dtype); }

void kilnTestSetDtype(kiln_tensor *tensor, int dtype) { tensor->dtype = (kiln_dtype)dtype; }
