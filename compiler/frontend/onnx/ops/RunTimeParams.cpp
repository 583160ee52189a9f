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

FailureOr<Value> equalsAny(OpBinder &b, Value values, ArrayRef<int64_t> spellings) {
  Type elementType = b.typeOf(values).getElementType();
  FailureOr<Value> hits = failure();
  for (int64_t value : spellings) {
    auto equal = b.create<kg::EqualOp>(values, b.scalar(elementType, double(value)));
    if (failed(equal))
      return failure();
    hits = succeeded(hits) ? b.create<kg::OrOp>(*hits, *equal) : equal;
    if (failed(hits))
      return failure();
  }
  return hits;
}
namespace {

std::string formatList(ArrayRef<int64_t> values) {
  std::string text = "[";
  for (auto [i, v] : llvm::enumerate(values))
    text += (i ? ", " : "") + std::to_string(v);
  return text + "]";
}

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

// A run-time check that entry j of `param` is one of `accepted[j]`.
LogicalResult checkEntries(OpBinder &b, Value param, ArrayRef<SmallVector<int64_t, 2>> accepted,
                           const std::string &message) {
  auto type = b.typeOf(param);
  // ok = OR over the alternatives k of (param == k-th choice of each entry).
  size_t choices = 0;
  for (const auto &entry : accepted)
    choices = std::max(choices, entry.size());
  Value ok;
  for (size_t k = 0; k < choices; ++k) {
    SmallVector<int64_t> column;
    for (const auto &entry : accepted)
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
  return b.addRunTimeCheck(ok, message);
}

// A scalar bool: `values` (1-D, as many entries as `set`) holds each axis of `set` once, an
// axis a spelled a or a - rank.
FailureOr<Value> isPermutationOf(OpBinder &b, Value values, ArrayRef<int64_t> set, int64_t rank) {
  auto type = b.typeOf(values);
  Type i64 = b.builder().getI64Type();
  auto all = b.builder().getDenseI64ArrayAttr({0});
  auto noKeep = b.builder().getBoolAttr(false);
  Value ok = b.scalar(b.builder().getI1Type(), 1.0);
  for (int64_t axis : set) {
    auto hits = equalsAny(b, values, {axis, axis - rank});
    if (failed(hits))
      return failure();
    auto asInt = b.createTyped<kg::CastOp>(type.clone(i64), *hits);
    auto count = failed(asInt) ? asInt : b.create<kg::ReduceSumOp>(*asInt, all, noKeep);
    auto once = failed(count) ? count : b.create<kg::EqualOp>(*count, b.scalar(i64, 1.0));
    auto both = failed(once) ? once : b.create<kg::AndOp>(ok, *once);
    if (failed(both))
      return failure();
    ok = *both;
  }
  return ok;
}

} // namespace

SmallVector<int64_t> withoutAxes(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept;
  for (auto [d, dim] : llvm::enumerate(shape))
    if (!llvm::is_contained(axes, int64_t(d)))
      kept.push_back(dim);
  return kept;
}

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
  std::string message = "input '" + b.inputName(i).str() + "' (" + what.str() + " of node " +
                        b.nodeName() + ") must hold " + formatAccepted(derived->accepted) +
                        ": the model was compiled for its declared output shape " +
                        graph::formatShape(*declared);
  if (failed(checkEntries(b, param, derived->accepted, message)))
    return failure();
  return derived->value;
}

LogicalResult checkCountAtMost(OpBinder &b, Value values, ArrayRef<int64_t> spellings,
                               int64_t limit, const std::string &message) {
  auto type = b.typeOf(values);
  auto hits = equalsAny(b, values, spellings);
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

FailureOr<SmallVector<int64_t>>
axisSetFromDeclaredShape(OpBinder &b, unsigned i, StringRef what, int64_t rank,
                         const std::function<bool(ArrayRef<int64_t>, ArrayRef<int64_t>)> &fits) {
  std::optional<SmallVector<int64_t>> declared = b.declaredOutputShape(0);
  auto type = b.typeOf(b.input(i));
  if (!declared || type.getRank() != 1)
    return b.emitError() << what << " (input '" << b.inputName(i)
                         << "') is computed at run time and the model declares no static shape "
                         << "for its output; Kiln needs one of them to compile static shapes";
  int64_t count = type.getDimSize(0);
  constexpr int64_t kMaxRank = 20;
  if (count > rank || rank > kMaxRank)
    return b.emitError() << what << " (input '" << b.inputName(i) << "') with " << count
                         << " entries cannot give the declared output "
                         << graph::formatShape(*declared);
  // Every subset of `count` candidates, as a bit mask.
  SmallVector<SmallVector<int64_t>> fitting;
  for (uint32_t mask = 0; mask < (1u << rank); ++mask) {
    if (__builtin_popcount(mask) != count)
      continue;
    SmallVector<int64_t> set;
    for (int64_t k = 0; k < rank; ++k)
      if (mask & (1u << k))
        set.push_back(k);
    if (fits(*declared, set))
      fitting.push_back(set);
  }
  if (fitting.empty())
    return b.emitError() << what << " (input '" << b.inputName(i) << "') is computed at run time "
                         << "and no set of " << count << " axes gives the declared output "
                         << graph::formatShape(*declared);
  // Every fitting set gives the same output (the data is only reshaped): the run-time values
  // must be one of them, in any order and spelling.
  std::string sets;
  Value ok;
  for (const SmallVector<int64_t> &set : fitting) {
    sets += (sets.empty() ? "" : " or ") + formatList(set);
    auto isSet = isPermutationOf(b, b.input(i), set, rank);
    if (failed(isSet))
      return failure();
    auto either = ok ? b.create<kg::OrOp>(ok, *isSet) : isSet;
    if (failed(either))
      return failure();
    ok = *either;
  }
  std::string message = "input '" + b.inputName(i).str() + "' (" + what.str() + " of node " +
                        b.nodeName() + ") must hold the axes " + sets +
                        " in some order: the model was compiled for its declared output shape " +
                        graph::formatShape(*declared);
  if (failed(b.addRunTimeCheck(ok, message)))
    return failure();
  return fitting.front();
}

} // namespace kiln::onnx_frontend
