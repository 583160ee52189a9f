// ONNX tensors → MLIR elements attributes: typed fields, raw_data and external data files.
#include "compiler/frontend/onnx/TensorImport.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace mlir;

namespace kiln::onnx_frontend {

Type convertElementType(MLIRContext *ctx, int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::UINT8:
    return IntegerType::get(ctx, 8, IntegerType::Unsigned);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::UINT16:
    return IntegerType::get(ctx, 16, IntegerType::Unsigned);
  case onnx::TensorProto::UINT32:
    return IntegerType::get(ctx, 32, IntegerType::Unsigned);
  case onnx::TensorProto::UINT64:
    return IntegerType::get(ctx, 64, IntegerType::Unsigned);
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

std::string onnxTypeName(int32_t onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(onnxType);
  return "type " + std::to_string(onnxType);
}

int64_t checkedNumElements(llvm::ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return -1;
  return n;
}

// Blob names appear in the textual IR; keep them to identifier characters.
static std::string resourceName(llvm::StringRef tensorName) {
  std::string name;
  for (char c : tensorName)
    name += (llvm::isAlnum(c) || c == '_' || c == '.') ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "t_" + name;
  return name;
}

// The typed repeated field holding a tensor's values, copied little-endian into `out`.
template <typename Src, typename Dst, typename Field>
static bool copyField(const Field &field, int64_t count, std::vector<char> &out) {
  if (int64_t(field.size()) != count)
    return false;
  out.resize(count * sizeof(Dst));
  for (int64_t i = 0; i < count; ++i) {
    Dst v = Dst(Src(field.Get(i)));
    std::memcpy(out.data() + i * sizeof(Dst), &v, sizeof(Dst));
  }
  return true;
}

static bool readTypedFields(const onnx::TensorProto &t, int64_t count, std::vector<char> &out,
                            int64_t &fieldSize) {
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    fieldSize = t.float_data_size();
    return copyField<float, float>(t.float_data(), count, out);
  case onnx::TensorProto::DOUBLE:
    fieldSize = t.double_data_size();
    return copyField<double, double>(t.double_data(), count, out);
  case onnx::TensorProto::INT64:
    fieldSize = t.int64_data_size();
    return copyField<int64_t, int64_t>(t.int64_data(), count, out);
  case onnx::TensorProto::INT32:
    fieldSize = t.int32_data_size();
    return copyField<int32_t, int32_t>(t.int32_data(), count, out);
  // Narrow types (and 16-bit floats, as bit patterns) are stored widened in int32_data.
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    fieldSize = t.int32_data_size();
    return copyField<int32_t, uint16_t>(t.int32_data(), count, out);
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    fieldSize = t.int32_data_size();
    return copyField<int32_t, uint8_t>(t.int32_data(), count, out);
  case onnx::TensorProto::UINT32:
    fieldSize = t.uint64_data_size();
    return copyField<uint64_t, uint32_t>(t.uint64_data(), count, out);
  case onnx::TensorProto::UINT64:
    fieldSize = t.uint64_data_size();
    return copyField<uint64_t, uint64_t>(t.uint64_data(), count, out);
  default:
    fieldSize = 0;
    return false;
  }
}

// Opens the external data of `t`, which must lie inside `modelDir` (no absolute paths, no
// "..", no symlink leading out).
static FailureOr<std::unique_ptr<llvm::MemoryBuffer>> readExternalData(const onnx::TensorProto &t,
                                                                       llvm::StringRef modelDir,
                                                                       uint64_t expectedBytes,
                                                                       Location loc) {
  const std::string &name = t.name();
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : t.external_data()) {
    uint64_t value = 0;
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (llvm::StringRef(entry.value()).getAsInteger(10, value))
        return emitError(loc) << "external data " << entry.key() << " '" << entry.value()
                              << "' of tensor '" << name << "' is not a number";
      if (entry.key() == "offset")
        offset = value;
      else
        length = value;
    }
  }
  if (location.empty())
    return emitError(loc) << "tensor '" << name << "' has external data without a location";
  if (llvm::sys::path::is_absolute(location))
    return emitError(loc) << "external data location '" << location << "' of tensor '" << name
                          << "' is an absolute path; it must be relative to the model's folder";
  for (auto it = llvm::sys::path::begin(location), e = llvm::sys::path::end(location); it != e;
       ++it)
    if (*it == "..")
      return emitError(loc) << "external data location '" << location << "' of tensor '" << name
                            << "' contains '..'; it must stay inside the model's folder";
  if (modelDir.empty())
    return emitError(loc) << "tensor '" << name
                          << "' has external data but the model's folder is not known";
  llvm::SmallString<256> root, path(modelDir), real;
  if (std::error_code ec = llvm::sys::fs::real_path(modelDir, root))
    return emitError(loc) << "cannot resolve the model folder '" << modelDir
                          << "': " << ec.message();
  llvm::sys::path::append(path, location);
  if (std::error_code ec = llvm::sys::fs::real_path(path, real))
    return emitError(loc) << "cannot open external data file '" << path << "' of tensor '" << name
                          << "': " << ec.message();
  if (!llvm::StringRef(real).starts_with((root + "/").str()))
    return emitError(loc) << "external data location '" << location << "' of tensor '" << name
                          << "' resolves to '" << real << "', outside the model's folder";
  uint64_t fileSize = 0;
  if (!llvm::sys::fs::is_regular_file(real) || llvm::sys::fs::file_size(real, fileSize))
    return emitError(loc) << "external data '" << location << "' of tensor '" << name
                          << "' is not a readable file";
  if (length && *length != expectedBytes)
    return emitError(loc) << "external data of tensor '" << name << "' has length " << *length
                          << " but the tensor needs " << expectedBytes << " bytes";
  if (offset > fileSize || fileSize - offset < expectedBytes)
    return emitError(loc) << "external data of tensor '" << name << "' (offset " << offset << ", "
                          << expectedBytes << " bytes) runs past the end of '" << location << "' ("
                          << fileSize << " bytes)";
  auto buffer = llvm::MemoryBuffer::getFileSlice(real, expectedBytes, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read external data '" << location << "' of tensor '" << name
                          << "': " << buffer.getError().message();
  return std::move(*buffer);
}

FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &t, llvm::StringRef modelDir,
                                      Location loc) {
  const std::string &name = t.name();
  Type elementType = convertElementType(loc.getContext(), t.data_type());
  if (!elementType)
    return emitError(loc) << "tensor '" << name << "' has unsupported element type "
                          << onnxTypeName(t.data_type());
  llvm::SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  int64_t count = checkedNumElements(dims);
  if (count < 0)
    return emitError(loc) << "tensor '" << name << "' has invalid dims";
  if (t.has_segment())
    return emitError(loc) << "tensor '" << name << "' is segmented, which Kiln does not support";
  auto type = RankedTensorType::get(dims, elementType);
  uint64_t byteWidth = elementType.isInteger(1) ? 1 : elementType.getIntOrFloatBitWidth() / 8;
  uint64_t expectedBytes = 0;
  if (__builtin_mul_overflow(uint64_t(count), byteWidth, &expectedBytes))
    return emitError(loc) << "tensor '" << name << "' is too large";

  // `bytes` views the little-endian data wherever it lives.
  llvm::ArrayRef<char> bytes;
  std::vector<char> typed;
  std::unique_ptr<llvm::MemoryBuffer> external;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto buffer = readExternalData(t, modelDir, expectedBytes, loc);
    if (failed(buffer))
      return failure();
    external = std::move(*buffer);
    bytes = llvm::ArrayRef<char>(external->getBufferStart(), external->getBufferSize());
  } else if (t.has_raw_data()) {
    if (t.raw_data().size() != expectedBytes)
      return emitError(loc) << "tensor '" << name << "' has " << t.raw_data().size()
                            << " bytes of raw_data but its shape needs " << expectedBytes;
    bytes = llvm::ArrayRef<char>(t.raw_data().data(), t.raw_data().size());
  } else {
    int64_t fieldSize = 0;
    if (!readTypedFields(t, count, typed, fieldSize))
      return emitError(loc) << "tensor '" << name << "' has " << fieldSize << " values for "
                            << count << " elements";
    bytes = typed;
  }

  if (elementType.isInteger(1)) {
    llvm::SmallVector<bool> bools;
    for (char c : bytes)
      bools.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, bools));
  }
  if (count > kMaxInlineElements) {
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(std::max_align_t));
    return ElementsAttr(DenseResourceElementsAttr::get(type, resourceName(name), std::move(blob)));
  }
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, bytes));
}

} // namespace kiln::onnx_frontend
