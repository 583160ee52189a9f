// The view of one ONNX node that converters get: its inputs as kg values, typed attribute
// access, constant-operand reads, and op creation that infers, verifies and folds.
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPBINDER_H
#define KILN_COMPILER_FRONTEND_ONNX_OPBINDER_H

#include "ir/graph/GraphDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <string>

namespace onnx {
class AttributeProto;
class GraphProto;
class NodeProto;
} // namespace onnx

namespace kiln::onnx_frontend {

class OpBinder {
public:
  OpBinder(mlir::OpBuilder &builder, const onnx::NodeProto &node, int64_t opset, mlir::Location loc,
           const llvm::StringMap<mlir::Value> &values, llvm::StringRef modelDir);

  int64_t opset() const { return opset_; }
  mlir::Location loc() const { return loc_; }
  mlir::OpBuilder &builder() { return builder_; }
  mlir::MLIRContext *context() { return builder_.getContext(); }

  // ---- Inputs. Absent optional inputs (missing or named "") are null values.
  unsigned numInputs() const;
  // The ONNX value name of input `i` ("" when absent), and "'name'" or "#index" of the node.
  llvm::StringRef inputName(unsigned i) const;
  std::string nodeName() const;
  mlir::Value input(unsigned i) const;
  // Fails with a message when the input is absent.
  mlir::FailureOr<mlir::Value> requiredInput(unsigned i);
  // Reads a constant input (a folded shape computation or an initializer); fails naming
  // `what` when the input is computed at run time.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(unsigned i, llvm::StringRef what);
  mlir::FailureOr<llvm::SmallVector<double>> constantFloats(unsigned i, llvm::StringRef what);

  // ---- Attributes. An attribute of the wrong kind is reported and fails the node.
  bool hasAttr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue);
  float floatAttr(llvm::StringRef name, float defaultValue);
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue);
  std::optional<llvm::SmallVector<int64_t>> intsAttr(llvm::StringRef name);
  std::optional<llvm::SmallVector<float>> floatsAttr(llvm::StringRef name);
  std::optional<llvm::SmallVector<std::string>> stringsAttr(llvm::StringRef name);
  // A TENSOR attribute converted to a constant; nullopt when absent.
  std::optional<mlir::FailureOr<mlir::ElementsAttr>> tensorAttr(llvm::StringRef name);

  // ---- Subgraphs (the bodies of If, Loop and Scan), imported inline at the insertion point
  // with their formal inputs bound to `inputs`; names of enclosing graphs stay visible.
  using SubgraphImporter = std::function<mlir::FailureOr<llvm::SmallVector<mlir::Value>>(
      const onnx::GraphProto &, llvm::ArrayRef<mlir::Value>)>;
  void setSubgraphImporter(SubgraphImporter importer) { subgraphImporter_ = std::move(importer); }
  // The GRAPH attribute `name`, or null (reported) when it is missing.
  const onnx::GraphProto *graphAttr(llvm::StringRef name);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> importSubgraph(const onnx::GraphProto &body,
                                                                 llvm::ArrayRef<mlir::Value> inputs);

  // ---- Run-time checks: `ok` (a bool tensor) must be all true when the model runs, else the
  // run fails with `message` (name the input and what it must hold). A check that folds to
  // true is dropped; one that folds to false is a compile-time error.
  using CheckList = llvm::SmallVector<std::pair<mlir::Value, std::string>>;
  void setCheckList(CheckList *checks) { checks_ = checks; }
  mlir::LogicalResult addRunTimeCheck(mlir::Value ok, const std::string &message);
  // Checks added since `from` (by a subgraph evaluated whether or not it is taken) then hold
  // only when `taken`, a bool scalar, is true.
  size_t numRunTimeChecks() const { return checks_ ? checks_->size() : 0; }
  mlir::LogicalResult guardRunTimeChecks(size_t from, mlir::Value taken);
  // The shape the model declares for output `i` (graph output or value_info), when it gives
  // every dim; nullopt otherwise.
  using DeclaredShapeFn = std::function<std::optional<llvm::SmallVector<int64_t>>(llvm::StringRef)>;
  void setDeclaredShapes(DeclaredShapeFn fn) { declaredShape_ = std::move(fn); }
  std::optional<llvm::SmallVector<int64_t>> declaredOutputShape(unsigned i) const;

  // ---- Outputs. Values beyond those given must be unused by the graph.
  unsigned numOutputs() const;
  bool outputUsed(unsigned i) const;
  mlir::LogicalResult setResults(llvm::ArrayRef<mlir::Value> values);
  llvm::ArrayRef<std::pair<std::string, mlir::Value>> results() const { return results_; }

  // ---- Diagnostics: messages are prefixed with the node by the importer.
  mlir::InFlightDiagnostic emitError();
  bool hadError() const { return hadError_; }

  // ---- Op creation. Each op is verified right after it is built (so folders never see an
  // invalid op) and then folded, like OpBuilder::createOrFold.
  // Ops with InferTypeOpAdaptor: the result type is inferred, and a failure is reported
  // through the op's location instead of aborting as the ODS builders without types do.
  template <typename OpTy, typename... Args> mlir::FailureOr<mlir::Value> create(Args &&...args) {
    mlir::OperationState state(loc_, OpTy::getOperationName());
    OpTy::build(builder_, state, mlir::Type(), std::forward<Args>(args)...);
    state.types.clear();
    llvm::SmallVector<mlir::Type, 1> types;
    if (mlir::failed(OpTy::inferReturnTypes(context(), loc_, state.operands,
                                            state.attributes.getDictionary(context()),
                                            state.getRawProperties(), state.regions, types)))
      return failFlagged();
    state.addTypes(types);
    return finish(state);
  }
  // Ops whose result type is given (reshape, cast, constant_of_shape).
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> createTyped(mlir::Type resultType, Args &&...args) {
    mlir::OperationState state(loc_, OpTy::getOperationName());
    OpTy::build(builder_, state, resultType, std::forward<Args>(args)...);
    return finish(state);
  }

  mlir::Value constant(mlir::ElementsAttr value);
  // A rank-0 constant of `elementType`.
  mlir::Value scalar(mlir::Type elementType, double value);
  mlir::FailureOr<mlir::Value> reshape(mlir::Value input, llvm::ArrayRef<int64_t> shape);

  // ONNX axis in [-rank, rank) → [0, rank); fails naming the axis otherwise.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType());
  }

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name, int kind);
  mlir::FailureOr<mlir::Value> finish(mlir::OperationState &state);
  mlir::FailureOr<mlir::Value> failFlagged() {
    hadError_ = true;
    return mlir::failure();
  }
  mlir::FailureOr<mlir::Attribute> constantAttr(unsigned i, llvm::StringRef what);

  mlir::OpBuilder &builder_;
  const onnx::NodeProto &node_;
  int64_t opset_;
  mlir::Location loc_;
  const llvm::StringMap<mlir::Value> &values_;
  llvm::StringRef modelDir_;
  llvm::SmallVector<std::pair<std::string, mlir::Value>> results_;
  SubgraphImporter subgraphImporter_;
  CheckList *checks_ = nullptr;
  DeclaredShapeFn declaredShape_;
  bool hadError_ = false;
};

} // namespace kiln::onnx_frontend

#endif
