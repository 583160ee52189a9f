// Shape-determining parameters computed at run time: compile for the declared output shape,
// verify the parameter at run time (see RunTimeParams.h).
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

std::string formatAccepted(ArrayRef<SmallVector<int64_t, 2>> accepted) {
  std::string text = "[";
  for (auto [i, choices] : llvm::enumerate(accepted)) {
    text += i ? ", " : "";
    for (auto [k, v] : llvm::enumerate(choices))
      text += (k ? " or " : "") + std::to_string(v);
  }
  return text + "]";
}

Value intConstant(OpBinder &b, Type elementType, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, elementType);
  if (isa<FloatType>(elementType))
    return b.constant(graph::makeDense(type, llvm::to_vector(llvm::map_range(
                                                 values, [](int64_t v) { return double(v); }))));
  return b.constant(graph::makeDenseInt(type, values));
}

} // namespace

bool inputIsConstant(OpBinder &b, unsigned i) {
  return b.input(i) && matchPattern(b.input(i), m_Constant());
}

FailureOr<SmallVector<int64_t>> intsFromDeclaredShape(OpBinder &b, unsigned i, StringRef what,
                                                      const DeriveParam &derive) {
  Value param = b.input(i);
  if (!param || inputIsConstant(b, i))
    return b.constantInts(i, what);
  std::optional<SmallVector<int64_t>> declared = b.declaredOutputShape(0);
  if (!declared)
    return b.emitError() << what << " (input '" << b.inputName(i)
                         << "') is computed at run time and the model declares no static shape "
                         << "for its output; Kiln needs one of them to compile static shapes";
  auto derived = derive(*declared);
  if (failed(derived))
    return failure();
  auto type = b.typeOf(param);
  bool scalar = type.getRank() == 0 && derived->accepted.size() == 1;
  if (!scalar && (type.getRank() != 1 || type.getDimSize(0) != int64_t(derived->accepted.size())))
    return b.emitError() << what << " (input '" << b.inputName(i) << "') has shape "
                         << graph::formatShape(type.getShape()) << ", but the declared output "
                         << graph::formatShape(*declared) << " needs "
                         << derived->accepted.size() << " values";
  // ok = OR over the alternatives k of (param == k-th choice of each entry).
  size_t choices = 0;
  for (const auto &entry : derived->accepted)
    choices = std::max(choices, entry.size());
  Value ok;
  for (size_t k = 0; k < choices; ++k) {
    SmallVector<int64_t> column;
    for (const auto &entry : derived->accepted)
      column.push_back(entry[std::min(k, entry.size() - 1)]);
    auto equal = b.create<kg::EqualOp>(param, intConstant(b, type.getElementType(), column));
    if (failed(equal))
      return failure();
    if (!ok) {
      ok = *equal;
      continue;
    }
    auto either = b.create<kg::OrOp>(ok, *equal);
    if (failed(either))
      return failure();
    ok = *either;
  }
  std::string message = "input '" + b.inputName(i).str() + "' (" + what.str() + " of node " +
                        b.nodeName() + ") must hold " + formatAccepted(derived->accepted) +
                        ": the model was compiled for its declared output shape " +
                        graph::formatShape(*declared);
  if (failed(b.addRunTimeCheck(ok, message)))
    return failure();
  return derived->value;
}

LogicalResult checkCountAtMost(OpBinder &b, Value values, int64_t value, int64_t limit,
                               const std::string &message) {
  auto type = b.typeOf(values);
  auto hits = b.create<kg::EqualOp>(values, b.scalar(type.getElementType(), double(value)));
  if (failed(hits))
    return failure();
  auto asInt = b.createTyped<kg::CastOp>(type.clone(b.builder().getI64Type()), *hits);
  if (failed(asInt))
    return failure();
  auto axes = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  auto count = b.create<kg::ReduceSumOp>(*asInt, b.builder().getDenseI64ArrayAttr(axes),
                                         b.builder().getBoolAttr(false));
  if (failed(count))
    return failure();
  auto ok = b.create<kg::LessEqualOp>(*count, b.scalar(b.builder().getI64Type(), double(limit)));
  if (failed(ok))
    return failure();
  return b.addRunTimeCheck(*ok, message);
}

} // namespace kiln::onnx_frontend
