// Reading and writing numpy .npy files (format versions 1-3, little-endian, C order).
#ifndef KILN_TOOLS_KILN_RUN_NPY_H
#define KILN_TOOLS_KILN_RUN_NPY_H

#include "tools/kiln-run/tensor.h"

#include <string>
#include <string_view>

namespace kiln::run {

// The numpy descr kiln-run writes for `dtype` ("<f4", "|b1", ...). bfloat16, which numpy
// lacks, is stored as its raw bits, "<u2".
const char *npyDescr(kiln_dtype dtype);

// Reads `path` into `out`. `want` is the dtype the caller expects: it decides how the
// ambiguous "<u2" is read (bfloat16 bits) and is otherwise only compared by the caller. On
// failure returns false with a one-line reason that does not repeat the path.
bool readNpy(const std::string &path, kiln_dtype want, HostTensor *out, std::string *error);

// Parses the header dict, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".
// Exposed for the unit tests.
bool parseNpyHeader(std::string_view header, std::string *descr, bool *fortranOrder,
                    std::vector<int64_t> *shape, std::string *error);

// Writes `tensor` to `path` as a version 1 .npy file (version 2 if the header needs it).
bool writeNpy(const std::string &path, const HostTensor &tensor, std::string *error);

} // namespace kiln::run

#endif
