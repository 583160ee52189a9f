// .npy I/O. The header is a Python dict literal; we parse just the subset numpy writes (string
// keys; string, bool and int-tuple values) and reject anything we cannot map to a kiln_dtype.
#include "tools/kiln-run/npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace kiln::run {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct DescrEntry {
  const char *descr; // without the byte-order character
  kiln_dtype dtype;
};

// Byte-order characters are checked separately, so one entry covers "<f4" and "=f4".
constexpr DescrEntry kDescrs[] = {
    {"f4", KILN_DTYPE_F32},  {"f2", KILN_DTYPE_F16},  {"f8", KILN_DTYPE_F64},
    {"i1", KILN_DTYPE_I8},   {"u1", KILN_DTYPE_U8},   {"i4", KILN_DTYPE_I32},
    {"i8", KILN_DTYPE_I64},  {"b1", KILN_DTYPE_BOOL}, {"u2", KILN_DTYPE_BF16},
    {"V2", KILN_DTYPE_BF16}, {"i2", KILN_DTYPE_I16},  {"u2", KILN_DTYPE_U16},
    {"u4", KILN_DTYPE_U32},  {"u8", KILN_DTYPE_U64},
};

bool descrToDtype(const std::string &descr, kiln_dtype want, kiln_dtype *out, std::string *error) {
  if (descr.size() < 2 ||
      (descr[0] != '<' && descr[0] != '|' && descr[0] != '=' && descr[0] != '>')) {
    *error = "unsupported dtype '" + descr + "'";
    return false;
  }
  std::string code = descr.substr(1);
  bool oneByte = code.size() == 2 && code[1] == '1';
  if (descr[0] == '>' && !oneByte) {
    *error = "big-endian dtype '" + descr + "' is not supported";
    return false;
  }
  for (const DescrEntry &entry : kDescrs) {
    if (code != entry.descr)
      continue;
    // "<u2" is bfloat16 bits when bfloat16 is expected, uint16 otherwise.
    if (entry.dtype == KILN_DTYPE_BF16 && want != KILN_DTYPE_BF16)
      continue;
    *out = entry.dtype;
    return true;
  }
  *error = "unsupported dtype '" + descr + "'";
  return false;
}

// A cursor over the header text with the few token readers the dict literal needs.
struct HeaderParser {
  std::string_view text;
  size_t pos = 0;

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool readString(std::string *out) {
    skipSpace();
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string_view::npos)
      return false;
    *out = std::string(text.substr(pos, end - pos));
    pos = end + 1;
    return true;
  }
  bool readWord(std::string_view word) {
    skipSpace();
    if (text.substr(pos, word.size()) != word)
      return false;
    pos += word.size();
    return true;
  }
  bool readInt(int64_t *out) {
    skipSpace();
    size_t start = pos;
    int64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_add_overflow(value, text[pos++] - '0', &value))
        return false;
    if (pos < text.size() && text[pos] == 'L') // Python 2 longs, in old files
      ++pos;
    *out = value;
    return pos > start;
  }
  // "(2, 3)", "(3,)" or "()".
  bool readTuple(std::vector<int64_t> *out) {
    out->clear();
    if (!consume('('))
      return false;
    while (!consume(')')) {
      int64_t dim;
      if (!readInt(&dim))
        return false;
      out->push_back(dim);
      if (!consume(',')) {
        return consume(')');
      }
    }
    return true;
  }
};

} // namespace

const char *npyDescr(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return "<f4";
  case KILN_DTYPE_F16:
    return "<f2";
  case KILN_DTYPE_BF16:
    return "<u2";
  case KILN_DTYPE_F64:
    return "<f8";
  case KILN_DTYPE_I8:
    return "|i1";
  case KILN_DTYPE_U8:
    return "|u1";
  case KILN_DTYPE_I32:
    return "<i4";
  case KILN_DTYPE_I64:
    return "<i8";
  case KILN_DTYPE_BOOL:
    return "|b1";
  case KILN_DTYPE_I16:
    return "<i2";
  case KILN_DTYPE_U16:
    return "<u2";
  case KILN_DTYPE_U32:
    return "<u4";
  case KILN_DTYPE_U64:
    return "<u8";
  }
  return "";
}

bool parseNpyHeader(std::string_view header, std::string *descr, bool *fortranOrder,
                    std::vector<int64_t> *shape, std::string *error) {
  HeaderParser p{header};
  bool sawDescr = false, sawOrder = false, sawShape = false;
  auto fail = [&](const std::string &what) {
    *error = "malformed header (" + what + ")";
    return false;
  };
  if (!p.consume('{'))
    return fail("expected '{'");
  while (!p.consume('}')) {
    std::string key;
    if (!p.readString(&key) || !p.consume(':'))
      return fail("expected a 'key': value entry");
    if (key == "descr") {
      if (!p.readString(descr))
        return fail("descr is not a simple type string");
      sawDescr = true;
    } else if (key == "fortran_order") {
      if (p.readWord("True"))
        *fortranOrder = true;
      else if (p.readWord("False"))
        *fortranOrder = false;
      else
        return fail("fortran_order is not True or False");
      sawOrder = true;
    } else if (key == "shape") {
      if (!p.readTuple(shape))
        return fail("shape is not a tuple of integers");
      sawShape = true;
    } else {
      return fail("unexpected key '" + key + "'");
    }
    if (!p.consume(',')) {
      if (!p.consume('}'))
        return fail("expected ',' or '}'");
      break;
    }
  }
  if (!sawDescr || !sawOrder || !sawShape)
    return fail("needs descr, fortran_order and shape");
  return true;
}

bool readNpy(const std::string &path, kiln_dtype want, HostTensor *out, std::string *error) {
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) {
    *error = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  unsigned char prefix[kMagicSize + 2];
  if (std::fread(prefix, 1, sizeof(prefix), file.get()) != sizeof(prefix) ||
      std::memcmp(prefix, kMagic, kMagicSize) != 0) {
    *error = "not a .npy file";
    return false;
  }
  int major = prefix[kMagicSize];
  size_t lengthBytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (!lengthBytes) {
    *error = "unsupported .npy version " + std::to_string(major);
    return false;
  }
  unsigned char lengthField[4] = {0, 0, 0, 0};
  if (std::fread(lengthField, 1, lengthBytes, file.get()) != lengthBytes) {
    *error = "truncated header";
    return false;
  }
  size_t headerLength = lengthField[0] | lengthField[1] << 8 | size_t(lengthField[2]) << 16 |
                        size_t(lengthField[3]) << 24;
  if (headerLength > (1u << 24)) {
    *error = "header too large";
    return false;
  }
  std::string header(headerLength, '\0');
  if (std::fread(header.data(), 1, headerLength, file.get()) != headerLength) {
    *error = "truncated header";
    return false;
  }
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  kiln_dtype dtype;
  if (!parseNpyHeader(header, &descr, &fortranOrder, &shape, error) ||
      !descrToDtype(descr, want, &dtype, error))
    return false;
  if (fortranOrder && shape.size() > 1) {
    *error = "Fortran-order arrays are not supported (save with np.ascontiguousarray)";
    return false;
  }
  size_t count, bytes;
  if (!countElements(shape, &count) || __builtin_mul_overflow(count, dtypeSize(dtype), &bytes)) {
    *error = "shape " + formatShape(shape) + " is too large";
    return false;
  }
  // Compare with the file size before allocating, so a lying header cannot ask for terabytes.
  long dataStart = std::ftell(file.get());
  if (dataStart >= 0 && std::fseek(file.get(), 0, SEEK_END) == 0) {
    long fileEnd = std::ftell(file.get());
    size_t present = fileEnd > dataStart ? size_t(fileEnd - dataStart) : 0;
    if (present != bytes) {
      *error = (present < bytes ? "truncated data: expected " : "trailing data: expected ") +
               std::to_string(bytes) + " bytes, found " + std::to_string(present);
      return false;
    }
    std::fseek(file.get(), dataStart, SEEK_SET);
  }
  *out = HostTensor(dtype, shape);
  size_t got = std::fread(out->data(), 1, bytes, file.get());
  if (got != bytes || std::fgetc(file.get()) != EOF) {
    *error = "data size does not match shape " + formatShape(shape);
    return false;
  }
  return true;
}

bool writeNpy(const std::string &path, const HostTensor &tensor, std::string *error) {
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  shape += tensor.shape().size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + npyDescr(tensor.dtype()) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // numpy pads with spaces and ends with '\n' so the data starts 64-byte aligned; the
  // version 1 length field holds at most 65535, beyond which version 2 takes 4 bytes.
  size_t lengthBytes = 2;
  auto paddedSize = [&](size_t prefixSize) {
    return (prefixSize + header.size() + 1 + 63) / 64 * 64 - prefixSize;
  };
  if (paddedSize(kMagicSize + 4) > 65535)
    lengthBytes = 4;
  size_t padded = paddedSize(kMagicSize + 2 + lengthBytes);
  header.append(padded - header.size() - 1, ' ');
  header += '\n';

  std::string prefix(kMagic, kMagicSize);
  prefix += char(lengthBytes == 2 ? 1 : 2);
  prefix += char(0);
  for (size_t i = 0; i < lengthBytes; ++i)
    prefix += char((header.size() >> (8 * i)) & 0xff);

  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!file) {
    *error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), file.get()) == prefix.size() &&
            std::fwrite(header.data(), 1, header.size(), file.get()) == header.size() &&
            std::fwrite(tensor.data(), 1, tensor.byteSize(), file.get()) == tensor.byteSize();
  if (!ok || std::fclose(file.release()) != 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace kiln::run
