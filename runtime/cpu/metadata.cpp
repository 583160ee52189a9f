// Parser of the model metadata text. Strict: the text comes from our own compiler, so anything
// unexpected is a bug we want reported by name rather than guessed around.
#include "runtime/cpu/metadata.h"

#include "runtime/cpu/dtype.h"

#include <cstdint>
#include <unordered_set>

namespace kiln::rt {
namespace {

std::vector<std::string_view> splitTokens(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t'))
      ++pos;
    size_t start = pos;
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t')
      ++pos;
    if (pos > start)
      tokens.push_back(line.substr(start, pos - start));
  }
  return tokens;
}

// A decimal integer in [0, INT64_MAX]; no sign, no spaces, no leading '+'.
bool parseNonNegative(std::string_view token, int64_t *out) {
  if (token.empty())
    return false;
  int64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9')
      return false;
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value))
      return false;
  }
  *out = value;
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool isPlainNameByte(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '/' || c == '-';
}

// A signed decimal integer.
bool parseInteger(std::string_view token, int64_t *out) {
  bool negative = !token.empty() && token[0] == '-';
  if (!parseNonNegative(negative ? token.substr(1) : token, out))
    return false;
  if (negative)
    *out = -*out;
  return true;
}

// A dim token: a size, or "$S,A,B" for A * symbol S + B.
bool parseDim(std::string_view token, const std::vector<SymbolMeta> &symbols, DimMeta *out) {
  if (token.empty() || token[0] != '$')
    return parseNonNegative(token, &out->offset);
  size_t c1 = token.find(','), c2 = token.rfind(',');
  int64_t symbol = 0;
  if (c1 == std::string_view::npos || c1 == c2 || !parseNonNegative(token.substr(1, c1 - 1), &symbol) ||
      !parseInteger(token.substr(c1 + 1, c2 - c1 - 1), &out->scale) ||
      !parseInteger(token.substr(c2 + 1), &out->offset) || symbol >= int64_t(symbols.size()) ||
      out->scale <= 0)
    return false;
  out->symbol = int32_t(symbol);
  const SymbolMeta &s = symbols[symbol];
  int64_t lo = out->scale * s.min + out->offset, hi = out->scale * s.max + out->offset;
  return lo >= 0 && hi >= lo;
}

std::string dimText(const DimMeta &dim, const std::vector<SymbolMeta> &symbols) {
  std::string text = symbols[dim.symbol].name;
  if (dim.scale != 1)
    text = std::to_string(dim.scale) + "*" + text;
  if (dim.offset != 0)
    text += (dim.offset > 0 ? "+" : "") + std::to_string(dim.offset);
  return text;
}

// Parses "<name> <dtype> <rank> <d0> ... <dN-1>" (tokens after the record keyword).
bool parseTensor(const std::vector<std::string_view> &tokens, const std::vector<SymbolMeta> &symbols,
                 TensorMeta *out, std::string *error) {
  if (tokens.size() < 4) {
    *error = "expected '" + std::string(tokens[0]) + " <name> <dtype> <rank> <dims...>'";
    return false;
  }
  if (!percentDecode(tokens[1], &out->name)) {
    *error = "bad name '" + std::string(tokens[1]) + "' (names are percent-encoded)";
    return false;
  }
  if (!parseDtypeName(tokens[2], &out->dtype)) {
    *error = "unknown dtype '" + std::string(tokens[2]) + "'";
    return false;
  }
  int64_t rank = 0;
  if (!parseNonNegative(tokens[3], &rank)) {
    *error = "bad rank '" + std::string(tokens[3]) + "'";
    return false;
  }
  if (static_cast<uint64_t>(rank) != tokens.size() - 4) {
    *error = "rank " + std::to_string(rank) + " but " + std::to_string(tokens.size() - 4) + " dims";
    return false;
  }
  out->shape.clear();
  std::vector<int64_t> maxima;
  for (const SymbolMeta &s : symbols)
    maxima.push_back(s.max);
  for (size_t i = 4; i < tokens.size(); ++i) {
    DimMeta dim;
    if (!parseDim(tokens[i], symbols, &dim)) {
      *error = "bad dim '" + std::string(tokens[i]) +
               "' (dims are non-negative integers or $SYMBOL,SCALE,OFFSET)";
      return false;
    }
    out->dims.push_back(dim);
    out->shape.push_back(dim.at(maxima.data()));
    out->reportedShape.push_back(dim.symbol < 0 ? dim.offset : -1);
  }
  for (const DimMeta &dim : out->dims)
    if (dim.symbol >= 0) {
      for (const DimMeta &d : out->dims)
        out->dimText.push_back(d.symbol < 0 ? "" : dimText(d, symbols));
      break;
    }
  size_t elements = 1;
  for (int64_t dim : out->shape) {
    if (__builtin_mul_overflow(elements, static_cast<size_t>(dim), &elements)) {
      *error = "shape " + formatShape(out->shape.data(), out->shape.size()) + " is too large";
      return false;
    }
  }
  out->numElements = elements;
  if (__builtin_mul_overflow(elements, kiln_dtype_size(out->dtype), &out->byteSize) ||
      out->byteSize > static_cast<size_t>(INT64_MAX)) {
    *error = "shape " + formatShape(out->shape.data(), out->shape.size()) + " is too large";
    return false;
  }
  return true;
}

} // namespace

bool percentDecode(std::string_view encoded, std::string *out) {
  out->clear();
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '%') {
      if (i + 2 >= encoded.size())
        return false;
      int hi = hexValue(encoded[i + 1]), lo = hexValue(encoded[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
        return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (isPlainNameByte(c)) {
      out->push_back(c);
    } else {
      return false;
    }
  }
  return !out->empty();
}

std::string formatShape(const int64_t *shape, size_t rank) {
  if (rank == 0)
    return "scalar";
  std::string text;
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      text += 'x';
    text += std::to_string(shape[i]);
  }
  return text;
}

bool parseMetadata(std::string_view text, Metadata *out, std::string *error) {
  *out = Metadata();
  bool sawHeader = false, sawWorkspace = false;
  std::unordered_set<std::string> inputNames;
  size_t lineNumber = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNumber;
    std::vector<std::string_view> tokens = splitTokens(line);
    if (tokens.empty())
      continue;
    auto fail = [&](const std::string &message) {
      *error = "line " + std::to_string(lineNumber) + ": " + message;
      return false;
    };
    std::string_view kind = tokens[0];
    if (!sawHeader) {
      int64_t version = 0;
      if (kind != "kiln-model" || tokens.size() != 2 || !parseNonNegative(tokens[1], &version))
        return fail("expected 'kiln-model <version>' as the first record");
      if (version != kMetadataVersion)
        return fail("unsupported metadata version " + std::to_string(version) +
                    " (this runtime reads version " + std::to_string(kMetadataVersion) + ")");
      sawHeader = true;
    } else if (kind == "workspace") {
      int64_t bytes = 0;
      if (sawWorkspace)
        return fail("second 'workspace' record");
      if (tokens.size() != 2 || !parseNonNegative(tokens[1], &bytes))
        return fail("expected 'workspace <bytes>'");
      out->workspaceBytes = static_cast<size_t>(bytes);
      sawWorkspace = true;
    } else if (kind == "symbol") {
      SymbolMeta symbol;
      if (tokens.size() != 4 || !percentDecode(tokens[1], &symbol.name) ||
          !parseNonNegative(tokens[2], &symbol.min) || !parseNonNegative(tokens[3], &symbol.max) ||
          symbol.min > symbol.max)
        return fail("expected 'symbol <name> <min> <max>' with min <= max");
      if (!out->inputs.empty() || !out->outputs.empty())
        return fail("'symbol' records must come before the inputs and outputs");
      out->symbols.push_back(std::move(symbol));
    } else if (kind == "input" || kind == "output") {
      TensorMeta tensor;
      std::string message;
      if (!parseTensor(tokens, out->symbols, &tensor, &message))
        return fail(message);
      // Input names key kiln-run's --input and the Python dict; two alike would be ambiguous.
      if (kind == "input" && !inputNames.insert(tensor.name).second)
        return fail("duplicate input '" + tensor.name + "'");
      (kind == "input" ? out->inputs : out->outputs).push_back(std::move(tensor));
    } else if (kind == "check") {
      std::string message;
      if (tokens.size() != 2 || !percentDecode(tokens[1], &message))
        return fail("expected 'check <percent-encoded message>'");
      out->checks.push_back(std::move(message));
    } else {
      return fail("unknown record '" + std::string(kind) + "'");
    }
  }
  if (!sawHeader) {
    *error = "metadata is empty";
    return false;
  }
  if (!sawWorkspace) {
    *error = "missing 'workspace' record";
    return false;
  }
  // Names for kiln_tensor_info, now that the vectors no longer move.
  for (auto *tensors : {&out->inputs, &out->outputs})
    for (TensorMeta &tensor : *tensors)
      for (const std::string &text : tensor.dimText)
        tensor.dimNames.push_back(text.empty() ? nullptr : text.c_str());
  return true;
}

} // namespace kiln::rt
