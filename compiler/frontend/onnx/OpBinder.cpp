// Node access for converters: inputs, attributes, constant operands and checked op creation.
#include "compiler/frontend/onnx/OpBinder.h"

#include "compiler/frontend/onnx/TensorImport.h"
#include "ir/graph/ConstantData.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

#include "onnx/onnx_pb.h"

using namespace mlir;

namespace kiln::onnx_frontend {

OpBinder::OpBinder(OpBuilder &builder, const onnx::NodeProto &node, int64_t opset, Location loc,
                   const llvm::StringMap<Value> &values, llvm::StringRef modelDir)
    : builder_(builder), node_(node), opset_(opset), loc_(loc), values_(values),
      modelDir_(modelDir) {}

unsigned OpBinder::numInputs() const { return node_.input_size(); }

Value OpBinder::input(unsigned i) const {
  if (i >= unsigned(node_.input_size()) || node_.input(i).empty())
    return {};
  return values_.lookup(node_.input(i));
}

FailureOr<Value> OpBinder::requiredInput(unsigned i) {
  if (Value v = input(i))
    return v;
  emitError() << "input " << i << " is required";
  return failure();
}

FailureOr<Attribute> OpBinder::constantAttr(unsigned i, llvm::StringRef what) {
  Value v = input(i);
  if (!v) {
    emitError() << what << " (input " << i << ") is required";
    return failure();
  }
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr))) {
    emitError() << what << " (input '" << node_.input(i)
                << "') is computed at run time; Kiln needs it to be a compile-time constant";
    return failure();
  }
  return attr;
}

FailureOr<llvm::SmallVector<int64_t>> OpBinder::constantInts(unsigned i, llvm::StringRef what) {
  auto attr = constantAttr(i, what);
  if (failed(attr))
    return failure();
  if (!typeOf(input(i)).getElementType().isIntOrIndex()) {
    emitError() << what << " (input '" << node_.input(i) << "') must be an integer tensor";
    return failure();
  }
  auto values = graph::readAsInt64(*attr);
  if (!values) {
    emitError() << what << " (input '" << node_.input(i) << "') cannot be read";
    return failure();
  }
  return llvm::SmallVector<int64_t>(values->begin(), values->end());
}

FailureOr<llvm::SmallVector<double>> OpBinder::constantFloats(unsigned i, llvm::StringRef what) {
  auto attr = constantAttr(i, what);
  if (failed(attr))
    return failure();
  auto values = graph::readAsDouble(*attr);
  if (!values) {
    emitError() << what << " (input '" << node_.input(i) << "') cannot be read";
    return failure();
  }
  return llvm::SmallVector<double>(values->begin(), values->end());
}

const onnx::GraphProto *OpBinder::graphAttr(llvm::StringRef name) {
  const auto *attr = findAttr(name, onnx::AttributeProto::GRAPH);
  if (!attr) {
    if (!hadError_)
      emitError() << "has no subgraph attribute '" << name << "'";
    return nullptr;
  }
  return &attr->g();
}

FailureOr<SmallVector<Value>> OpBinder::importSubgraph(const onnx::GraphProto &body,
                                                       ArrayRef<Value> inputs) {
  if (!subgraphImporter_) {
    emitError() << "subgraphs cannot be imported here";
    return failure();
  }
  auto outputs = subgraphImporter_(body, inputs);
  if (failed(outputs))
    hadError_ = true;
  return outputs;
}

llvm::StringRef OpBinder::inputName(unsigned i) const {
  return int(i) < node_.input_size() ? llvm::StringRef(node_.input(i)) : llvm::StringRef();
}

std::string OpBinder::nodeName() const {
  return node_.name().empty() ? node_.op_type() : "'" + node_.name() + "'";
}

LogicalResult OpBinder::addRunTimeCheck(Value ok, const std::string &message) {
  Attribute folded;
  if (matchPattern(ok, m_Constant(&folded))) {
    auto values = graph::readAsInt64(folded);
    if (values && llvm::all_of(*values, [](int64_t v) { return v != 0; }))
      return success();
    return emitError() << message;
  }
  if (!checks_)
    return emitError() << "run-time checks cannot be added here";
  // One int32 flag: the minimum over all elements, 0 when any is false.
  auto okType = typeOf(ok);
  auto asInt = createTyped<graph::CastOp>(okType.clone(builder_.getI32Type()), ok);
  if (failed(asInt))
    return failure();
  if (okType.getRank() == 0) {
    checks_->push_back({*asInt, message});
    return success();
  }
  auto axes = llvm::to_vector(llvm::seq<int64_t>(0, okType.getRank()));
  auto flag = create<graph::ReduceMinOp>(*asInt, builder_.getDenseI64ArrayAttr(axes),
                                         builder_.getBoolAttr(false));
  if (failed(flag))
    return failure();
  checks_->push_back({*flag, message});
  return success();
}

LogicalResult OpBinder::guardRunTimeChecks(size_t from, Value taken) {
  if (numRunTimeChecks() <= from)
    return success();
  auto notTaken = create<graph::NotOp>(taken);
  if (failed(notTaken))
    return failure();
  auto skip = createTyped<graph::CastOp>(typeOf(*notTaken).clone(builder_.getI32Type()), *notTaken);
  if (failed(skip))
    return failure();
  for (size_t k = from; k < checks_->size(); ++k) {
    auto guarded = create<graph::MaxOp>((*checks_)[k].first, *skip);
    if (failed(guarded))
      return failure();
    (*checks_)[k].first = *guarded;
  }
  return success();
}

std::optional<SmallVector<int64_t>> OpBinder::declaredOutputShape(unsigned i) const {
  if (!declaredShape_ || int(i) >= node_.output_size() || node_.output(i).empty())
    return std::nullopt;
  return declaredShape_(node_.output(i));
}

const onnx::AttributeProto *OpBinder::findAttr(llvm::StringRef name, int kind) {
  for (const auto &attr : node_.attribute()) {
    if (attr.name() != name)
      continue;
    if (attr.type() != kind) {
      emitError() << "attribute '" << name << "' has type "
                  << onnx::AttributeProto::AttributeType_Name(attr.type()) << ", expected "
                  << onnx::AttributeProto::AttributeType_Name(
                         onnx::AttributeProto::AttributeType(kind));
      return nullptr;
    }
    return &attr;
  }
  return nullptr;
}

bool OpBinder::hasAttr(llvm::StringRef name) const {
  return llvm::any_of(node_.attribute(), [&](const auto &a) { return a.name() == name; });
}

int64_t OpBinder::intAttr(llvm::StringRef name, int64_t defaultValue) {
  auto *attr = findAttr(name, onnx::AttributeProto::INT);
  return attr ? attr->i() : defaultValue;
}

float OpBinder::floatAttr(llvm::StringRef name, float defaultValue) {
  auto *attr = findAttr(name, onnx::AttributeProto::FLOAT);
  return attr ? attr->f() : defaultValue;
}

std::string OpBinder::stringAttr(llvm::StringRef name, llvm::StringRef defaultValue) {
  auto *attr = findAttr(name, onnx::AttributeProto::STRING);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<llvm::SmallVector<int64_t>> OpBinder::intsAttr(llvm::StringRef name) {
  auto *attr = findAttr(name, onnx::AttributeProto::INTS);
  if (!attr)
    return std::nullopt;
  return llvm::SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<llvm::SmallVector<float>> OpBinder::floatsAttr(llvm::StringRef name) {
  auto *attr = findAttr(name, onnx::AttributeProto::FLOATS);
  if (!attr)
    return std::nullopt;
  return llvm::SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

std::optional<llvm::SmallVector<std::string>> OpBinder::stringsAttr(llvm::StringRef name) {
  auto *attr = findAttr(name, onnx::AttributeProto::STRINGS);
  if (!attr)
    return std::nullopt;
  return llvm::SmallVector<std::string>(attr->strings().begin(), attr->strings().end());
}

std::optional<FailureOr<ElementsAttr>> OpBinder::tensorAttr(llvm::StringRef name) {
  auto *attr = findAttr(name, onnx::AttributeProto::TENSOR);
  if (!attr)
    return std::nullopt;
  auto value = convertTensor(attr->t(), modelDir_, loc_);
  if (failed(value))
    hadError_ = true;
  return value;
}

unsigned OpBinder::numOutputs() const { return node_.output_size(); }

bool OpBinder::outputUsed(unsigned i) const {
  return i < unsigned(node_.output_size()) && !node_.output(i).empty();
}

LogicalResult OpBinder::setResults(llvm::ArrayRef<Value> values) {
  for (unsigned i = values.size(); i < numOutputs(); ++i)
    if (outputUsed(i))
      return emitError() << "output " << i << " ('" << node_.output(i)
                         << "') is not supported; only the first " << values.size()
                         << " output(s) may be used";
  for (unsigned i = 0; i < values.size() && i < numOutputs(); ++i)
    if (outputUsed(i))
      results_.emplace_back(node_.output(i), values[i]);
  return success();
}

InFlightDiagnostic OpBinder::emitError() {
  hadError_ = true;
  return mlir::emitError(loc_);
}

FailureOr<Value> OpBinder::finish(OperationState &state) {
  Operation *op = builder_.create(state);
  if (failed(mlir::verify(op))) {
    op->erase();
    return failFlagged();
  }
  llvm::SmallVector<Value, 1> folded;
  if (succeeded(builder_.tryFold(op, folded)) && !folded.empty()) {
    op->erase();
    return folded.front();
  }
  return op->getResult(0);
}

Value OpBinder::constant(ElementsAttr value) {
  return builder_.create<graph::ConstantOp>(loc_, value);
}

Value OpBinder::scalar(Type elementType, double value) {
  return constant(graph::makeDense(RankedTensorType::get({}, elementType), {value}));
}

FailureOr<Value> OpBinder::reshape(Value input, llvm::ArrayRef<int64_t> shape) {
  return createTyped<graph::ReshapeOp>(RankedTensorType::get(shape, typeOf(input).getElementType()),
                                       input);
}

FailureOr<int64_t> OpBinder::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    emitError() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

} // namespace kiln::onnx_frontend
