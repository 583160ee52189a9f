// Reading and building constant tensors of any dtype through a double/int64 view.
#include "ir/graph/ConstantData.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace kiln::graph {

std::optional<ArrayRef<char>> getRawBytes(ElementsAttr attr, bool &isSplat) {
  isSplat = false;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.getElementType().isInteger(1))
      return std::nullopt; // bit-packed; read through getValues instead
    isSplat = dense.isSplat();
    return dense.getRawData();
  }
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  return std::nullopt;
}

template <typename T>
static std::optional<std::vector<T>> readElements(Attribute attribute) {
  auto attr = llvm::dyn_cast_or_null<ElementsAttr>(attribute);
  if (!attr)
    return std::nullopt;
  Type elementType = attr.getElementType();
  int64_t count = attr.getNumElements();
  std::vector<T> out(count);
  if (elementType.isInteger(1)) {
    auto dense = llvm::dyn_cast<DenseElementsAttr>(attr);
    if (!dense)
      return std::nullopt;
    int64_t i = 0;
    for (bool b : dense.getValues<bool>())
      out[i++] = b ? 1 : 0;
    return out;
  }
  bool isSplat;
  auto bytes = getRawBytes(attr, isSplat);
  if (!bytes)
    return std::nullopt;
  auto read = [&](int64_t index) -> std::optional<T> {
    const char *p = bytes->data() + (isSplat ? 0 : index) * (elementType.getIntOrFloatBitWidth() / 8);
    if (elementType.isF32()) { float v; std::memcpy(&v, p, 4); return T(v); }
    if (elementType.isF64()) { double v; std::memcpy(&v, p, 8); return T(v); }
    if (elementType.isF16() || elementType.isBF16()) {
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      llvm::APFloat v(llvm::cast<FloatType>(elementType).getFloatSemantics(), llvm::APInt(16, bits));
      bool losesInfo;
      v.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      return T(v.convertToDouble());
    }
    auto integer = llvm::dyn_cast<IntegerType>(elementType);
    if (!integer || integer.getWidth() % 8 != 0 || integer.getWidth() > 64)
      return std::nullopt;
    unsigned width = integer.getWidth();
    uint64_t bits = 0;
    std::memcpy(&bits, p, width / 8); // little-endian host
    if (integer.isUnsigned())
      return T(bits);
    return T(llvm::SignExtend64(bits, width));
  };
  size_t needed = isSplat ? 1 : count;
  if (bytes->size() < needed * (elementType.getIntOrFloatBitWidth() / 8))
    return std::nullopt;
  for (int64_t i = 0; i < count; ++i) {
    auto v = read(i);
    if (!v)
      return std::nullopt;
    out[i] = *v;
  }
  return out;
}

std::optional<std::vector<double>> readAsDouble(Attribute attr) { return readElements<double>(attr); }
std::optional<std::vector<int64_t>> readAsInt64(Attribute attr) { return readElements<int64_t>(attr); }

DenseElementsAttr makeDense(ShapedType type, ArrayRef<double> values) {
  Type elementType = type.getElementType();
  if (auto floatType = llvm::dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> floats;
    for (double v : values) {
      APFloat f(v);
      bool lost;
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      floats.push_back(f);
    }
    return DenseElementsAttr::get(type, floats);
  }
  if (elementType.isInteger(1)) {
    SmallVector<bool> bools;
    for (double v : values)
      bools.push_back(v != 0);
    return DenseElementsAttr::get(type, bools);
  }
  SmallVector<int64_t> ints(values.begin(), values.end());
  return makeDenseInt(type, ints);
}

DenseElementsAttr makeDenseInt(ShapedType type, ArrayRef<int64_t> values) {
  Type elementType = type.getElementType();
  if (!elementType.isIntOrIndex() || elementType.isInteger(1)) {
    SmallVector<double> doubles(values.begin(), values.end());
    return makeDense(type, doubles);
  }
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(width, v, /*isSigned=*/true));
  return DenseElementsAttr::get(type, ints);
}

ElementsAttr makeResourceF32(ShapedType type, ArrayRef<float> floats, StringRef name) {
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(floats);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

} // namespace kiln::graph
