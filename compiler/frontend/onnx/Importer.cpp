// The ONNX importer: loads and validates a model, fixes input shapes, converts every node
// through the converter registry and assembles `func.func @main` of kg ops.
#include "compiler/frontend/onnx/Importer.h"

#include "compiler/frontend/onnx/OnnxShapeInference.h"
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/TensorImport.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <climits>
#include <functional>
#include <map>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

bool isDefaultDomain(const std::string &domain) { return domain.empty() || domain == "ai.onnx"; }

// "node 'conv1'" or, for unnamed nodes, "node #3".
std::string nodeLabel(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? "node #" + std::to_string(index) : "node '" + node.name() + "'";
}

class ModelImporter {
public:
  ModelImporter(MLIRContext &ctx, onnx::ModelProto &model, llvm::StringRef modelDir,
                llvm::StringRef displayName, const ImportOptions &opts, bool keepGoing = false)
      : ctx_(ctx), model_(model), graph_(*model.mutable_graph()), modelDir_(modelDir),
        displayName_(displayName), opts_(opts), builder_(&ctx), keepGoing_(keepGoing) {}

  OwningOpRef<ModuleOp> run(std::string &error);
  const std::vector<std::string> &problems() const { return problems_; }

private:
  void readOpsets();
  void specialiseInputs();
  SmallVector<Type> inputTypes();
  void findUnsupportedOps();
  LogicalResult importInitializers();
  LogicalResult importNodes();
  std::optional<SmallVector<int64_t>> declaredShape(llvm::StringRef name) const;
  // Converts one node into `scope` (the values visible to it, updated with its outputs);
  // `problem` says why it failed.
  LogicalResult convertNode(const onnx::NodeProto &node, int index, llvm::StringMap<Value> &scope,
                            std::string &problem);
  FailureOr<SmallVector<Value>> importSubgraph(const onnx::GraphProto &body,
                                               ArrayRef<Value> inputs,
                                               const llvm::StringMap<Value> &outer, Location loc);
  LogicalResult checkOutput(const onnx::ValueInfoProto &output, Value value, llvm::StringRef claim);
  void eraseDeadOps(Block &block);
  std::string takeDiagnostics(size_t from);

  MLIRContext &ctx_;
  onnx::ModelProto &model_;
  onnx::GraphProto &graph_;
  std::string modelDir_, displayName_;
  const ImportOptions &opts_;
  OpBuilder builder_;
  int64_t opset_ = 0;
  std::map<std::string, int64_t> domainOpsets_;
  llvm::StringSet<> initializerNames_;
  llvm::StringMap<Value> values_;
  std::vector<std::string> problems_;    // reported together
  std::vector<std::string> diagnostics_; // MLIR errors captured during the import
  // Preflight (--check): keep importing past a failing node. Its outputs are `unknown_`, and
  // nodes that read them are skipped (counted in `skippedNodes_`), not reported.
  bool keepGoing_;
  OpBinder::CheckList checks_;                              // run-time checks, in order
  llvm::StringMap<const onnx::ValueInfoProto *> declared_; // graph outputs and value_info
  llvm::StringSet<> unknown_;
  int skippedNodes_ = 0;
};

std::string ModelImporter::takeDiagnostics(size_t from) {
  std::vector<std::string> tail(diagnostics_.begin() + std::min(from, diagnostics_.size()),
                                diagnostics_.end());
  return tail.empty() ? std::string("conversion failed") : llvm::join(tail, "; ");
}

void ModelImporter::readOpsets() {
  bool found = false;
  for (const auto &import : model_.opset_import()) {
    domainOpsets_[import.domain()] = import.version();
    if (isDefaultDomain(import.domain())) {
      opset_ = import.version();
      found = true;
    }
  }
  if (!found)
    problems_.push_back("the model imports no opset of the default ONNX domain");
}

// Writes --input-shape dims into the graph inputs, so ONNX inference sees them too.
void ModelImporter::specialiseInputs() {
  for (const auto &[name, dims] : opts_.inputShapes) {
    onnx::ValueInfoProto *input = nullptr;
    std::vector<std::string> names;
    for (auto &candidate : *graph_.mutable_input()) {
      if (initializerNames_.contains(candidate.name()))
        continue;
      names.push_back("'" + candidate.name() + "'");
      if (candidate.name() == name)
        input = &candidate;
    }
    if (!input) {
      problems_.push_back("--input-shape names '" + name +
                          "', which is not a graph input (inputs: " + llvm::join(names, ", ") + ")");
      continue;
    }
    if (llvm::any_of(dims, [](int64_t d) { return d < 0; })) {
      problems_.push_back("--input-shape " + name + " has a negative dim");
      continue;
    }
    auto *tensorType = input->mutable_type()->mutable_tensor_type();
    auto *shape = tensorType->mutable_shape();
    if (tensorType->has_shape() && shape->dim_size() != int(dims.size())) {
      problems_.push_back("--input-shape " + name + "=" + graph::formatShape(dims) + " has rank " +
                          std::to_string(dims.size()) + " but input '" + name + "' has rank " +
                          std::to_string(shape->dim_size()));
      continue;
    }
    if (shape->dim_size() == 0)
      for (size_t i = 0; i < dims.size(); ++i)
        shape->add_dim();
    for (size_t i = 0; i < dims.size(); ++i) {
      auto *dim = shape->mutable_dim(i);
      if (dim->has_dim_value() && dim->dim_value() != dims[i]) {
        problems_.push_back("--input-shape " + name + "=" + graph::formatShape(dims) + " sets dim " +
                            std::to_string(i) + " to " + std::to_string(dims[i]) +
                            " but the model fixes it at " + std::to_string(dim->dim_value()));
        break;
      }
      dim->set_dim_value(dims[i]);
    }
  }
}

// The static types of the graph inputs, one per input (null for an input with a problem);
// every input that is not fully static is a problem.
SmallVector<Type> ModelImporter::inputTypes() {
  SmallVector<Type> types;
  for (const auto &input : graph_.input()) {
    if (initializerNames_.contains(input.name()))
      continue;
    const std::string &name = input.name();
    types.push_back(Type());
    if (!input.type().has_tensor_type()) {
      problems_.push_back("input '" + name + "' is not a tensor");
      continue;
    }
    const auto &tensorType = input.type().tensor_type();
    Type elementType = convertElementType(&ctx_, tensorType.elem_type());
    if (!elementType)
      problems_.push_back("input '" + name + "' has unsupported element type " +
                          onnxTypeName(tensorType.elem_type()));
    if (!tensorType.has_shape()) {
      problems_.push_back("input '" + name + "' has no shape; give it with --input-shape " + name +
                          "=DIMS");
      continue;
    }
    SmallVector<int64_t> dims, example;
    for (const auto &dim : tensorType.shape().dim()) {
      bool known = dim.has_dim_value() && dim.dim_value() >= 0;
      dims.push_back(known ? dim.dim_value() : ShapedType::kDynamic);
      example.push_back(known ? dim.dim_value() : 1);
    }
    std::vector<std::string> symbolic;
    for (auto [i, dim] : llvm::enumerate(tensorType.shape().dim()))
      if (ShapedType::isDynamic(dims[i]))
        symbolic.push_back(std::to_string(i) +
                           (dim.dim_param().empty() ? "" : " ('" + dim.dim_param() + "')"));
    bool isStatic = symbolic.empty();
    if (!isStatic)
      problems_.push_back("input '" + name + "' " + (symbolic.size() == 1 ? "dim " : "dims ") +
                          llvm::join(symbolic, ", ") + (symbolic.size() == 1 ? " is" : " are") +
                          " symbolic; specialise with --input-shape " + name + "=DIMS, e.g. " +
                          "--input-shape " + name + "=" + graph::formatShape(example));
    if (isStatic && checkedNumElements(dims) < 0)
      problems_.push_back("input '" + name + "' is too large");
    if (elementType && isStatic && checkedNumElements(dims) >= 0)
      types.back() = RankedTensorType::get(dims, elementType);
  }
  return types;
}

void ModelImporter::findUnsupportedOps() {
  const ConverterRegistry &registry = ConverterRegistry::get();
  std::vector<std::string> unsupported;
  // Subgraphs (If/Loop/Scan bodies) are searched too; their nodes are named by their graph.
  std::function<void(const onnx::GraphProto &, const std::string &)> search =
      [&](const onnx::GraphProto &graph, const std::string &prefix) {
        for (auto [i, node] : llvm::enumerate(graph.node())) {
          for (const auto &attr : node.attribute())
            if (attr.type() == onnx::AttributeProto::GRAPH)
              search(attr.g(), "subgraph '" + attr.g().name() + "' ");
          std::string opType = node.op_type();
          int64_t opset = opset_;
          if (!isDefaultDomain(node.domain())) {
            opType = node.domain() + "." + opType;
            auto it = domainOpsets_.find(node.domain());
            opset = it == domainOpsets_.end() ? 0 : it->second;
          } else if (registry.lookup(opType, opset)) {
            continue;
          }
          unsupported.push_back(opType + " (" + prefix + nodeLabel(node, i) + ", opset " +
                                std::to_string(opset) + ")");
        }
      };
  search(graph_, "");
  if (keepGoing_)
    for (const std::string &op : unsupported)
      problems_.push_back("unsupported ONNX op " + op);
  else if (!unsupported.empty())
    problems_.push_back("unsupported ONNX ops: " + llvm::join(unsupported, ", "));
}

LogicalResult ModelImporter::importInitializers() {
  for (const auto &tensor : graph_.initializer()) {
    size_t before = diagnostics_.size();
    auto value =
        convertTensor(tensor, modelDir_, NameLoc::get(builder_.getStringAttr(tensor.name())));
    if (failed(value)) {
      problems_.push_back(takeDiagnostics(before));
      continue;
    }
    values_[tensor.name()] = builder_.create<graph::ConstantOp>(
        NameLoc::get(builder_.getStringAttr(tensor.name())), *value);
  }
  return success(problems_.empty());
}

LogicalResult ModelImporter::importNodes() {
  const ConverterRegistry &registry = ConverterRegistry::get();
  for (auto [i, nodeRef] : llvm::enumerate(graph_.node())) {
    const onnx::NodeProto &node = nodeRef;
    std::string label =
        nodeLabel(node, i) + " (" + node.op_type() + ", opset " + std::to_string(opset_) + ")";
    auto markOutputsUnknown = [&] {
      for (const std::string &output : node.output())
        unknown_.insert(output);
    };
    if (keepGoing_ && (!isDefaultDomain(node.domain()) ||
                       !registry.lookup(node.op_type(), opset_))) {
      markOutputsUnknown(); // reported by findUnsupportedOps
      continue;
    }
    if (keepGoing_ && llvm::any_of(node.input(), [&](const std::string &input) {
          return unknown_.contains(input);
        })) {
      markOutputsUnknown();
      ++skippedNodes_;
      continue;
    }
    bool inputsKnown = true;
    for (const std::string &input : node.input())
      if (!input.empty() && !values_.count(input)) {
        problems_.push_back(
            label + ": input '" + input +
            "' is not produced by an earlier node, an initializer or a graph input");
        inputsKnown = false;
        break;
      }
    if (!inputsKnown) {
      if (!keepGoing_)
        return failure();
      markOutputsUnknown();
      continue;
    }
    std::string problem;
    if (failed(convertNode(node, i, values_, problem))) {
      problems_.push_back(problem);
      if (!keepGoing_)
        return failure();
      markOutputsUnknown();
    }
  }
  return success();
}

std::optional<SmallVector<int64_t>> ModelImporter::declaredShape(llvm::StringRef name) const {
  auto it = declared_.find(name);
  if (it == declared_.end() || !it->second->type().has_tensor_type() ||
      !it->second->type().tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (const auto &dim : it->second->type().tensor_type().shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return std::nullopt;
    dims.push_back(dim.dim_value());
  }
  return dims;
}

LogicalResult ModelImporter::convertNode(const onnx::NodeProto &node, int index,
                                         llvm::StringMap<Value> &scope, std::string &problem) {
  std::string label =
      nodeLabel(node, index) + " (" + node.op_type() + ", opset " + std::to_string(opset_) + ")";
  std::string locName = node.name().empty() ? "#" + std::to_string(index) : node.name();
  Location loc = FusedLoc::get({NameLoc::get(builder_.getStringAttr(locName))},
                               builder_.getStringAttr(node.op_type()), &ctx_);
  ConverterFn convert = isDefaultDomain(node.domain())
                            ? ConverterRegistry::get().lookup(node.op_type(), opset_)
                            : nullptr;
  if (!convert) {
    problem = label + ": unsupported ONNX op";
    return failure();
  }
  OpBinder binder(builder_, node, opset_, loc, scope, modelDir_);
  binder.setCheckList(&checks_);
  binder.setDeclaredShapes([this](llvm::StringRef name) { return declaredShape(name); });
  binder.setSubgraphImporter([&](const onnx::GraphProto &body, ArrayRef<Value> inputs) {
    return importSubgraph(body, inputs, scope, loc);
  });
  size_t before = diagnostics_.size();
  if (failed(convert(binder)) || binder.hadError()) {
    problem = label + ": " + takeDiagnostics(before);
    return failure();
  }
  for (const auto &[name, value] : binder.results()) {
    if (scope.count(name)) {
      problem = label + ": output '" + name + "' is already defined";
      return failure();
    }
    scope[name] = value;
  }
  return success();
}

// ONNX scoping: a subgraph sees the names of its enclosing graphs, and may shadow none of them.
FailureOr<SmallVector<Value>> ModelImporter::importSubgraph(const onnx::GraphProto &body,
                                                            ArrayRef<Value> inputs,
                                                            const llvm::StringMap<Value> &outer,
                                                            Location loc) {
  std::string where = "subgraph '" + body.name() + "'";
  if (body.input_size() != int(inputs.size()))
    return emitError(loc) << where << " takes " << body.input_size() << " inputs, given "
                          << inputs.size();
  llvm::StringMap<Value> scope = outer;
  // The subgraph's declared shapes serve its nodes like the main graph's (names are unique).
  for (const auto &info : body.value_info())
    declared_.try_emplace(info.name(), &info);
  for (const auto &info : body.output())
    declared_.try_emplace(info.name(), &info);
  for (const auto &tensor : body.initializer()) {
    auto value =
        convertTensor(tensor, modelDir_, NameLoc::get(builder_.getStringAttr(tensor.name())));
    if (failed(value))
      return failure();
    scope[tensor.name()] = builder_.create<graph::ConstantOp>(loc, *value);
  }
  for (auto [input, value] : llvm::zip(body.input(), inputs))
    scope[input.name()] = value;
  for (auto [i, node] : llvm::enumerate(body.node())) {
    for (const std::string &input : node.input())
      if (!input.empty() && !scope.count(input))
        return emitError(loc) << where << ", " << nodeLabel(node, i) << ": input '" << input
                              << "' is not defined in the subgraph or an enclosing graph";
    std::string problem;
    if (failed(convertNode(node, i, scope, problem)))
      return emitError(loc) << "in " << where << ", " << problem;
  }
  SmallVector<Value> outputs;
  for (const auto &output : body.output()) {
    Value value = scope.lookup(output.name());
    if (!value)
      return emitError(loc) << where << " never produces its output '" << output.name() << "'";
    outputs.push_back(value);
  }
  return outputs;
}

// A graph output's ONNX type (declared, or after ONNX inference) must agree with kg's where it
// is known; `claim` says which it is.
LogicalResult ModelImporter::checkOutput(const onnx::ValueInfoProto &output, Value value,
                                         llvm::StringRef claim) {
  if (!output.type().has_tensor_type())
    return success();
  auto type = cast<RankedTensorType>(value.getType());
  const auto &onnxType = output.type().tensor_type();
  bool mismatch = onnxType.elem_type() != 0 &&
                  convertElementType(&ctx_, onnxType.elem_type()) != type.getElementType();
  std::string dims;
  if (onnxType.has_shape()) {
    mismatch |= onnxType.shape().dim_size() != type.getRank();
    for (auto [i, dim] : llvm::enumerate(onnxType.shape().dim())) {
      dims += (i ? "x" : "") + (dim.has_dim_value() ? std::to_string(dim.dim_value()) : "?");
      mismatch |= dim.has_dim_value() && int64_t(i) < type.getRank() &&
                  dim.dim_value() != type.getDimSize(i);
    }
  }
  if (!mismatch)
    return success();
  std::string kgType;
  llvm::raw_string_ostream os(kgType);
  os << type;
  problems_.push_back("graph output '" + output.name() + "' " + claim.str() + " " +
                      onnxTypeName(onnxType.elem_type()) + (dims.empty() ? "" : " " + dims) +
                      " but Kiln computes " + kgType);
  return failure();
}

// Shape computations fold to constants that nothing uses any more.
void ModelImporter::eraseDeadOps(Block &block) {
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (!op.hasTrait<OpTrait::IsTerminator>() && op.use_empty() && isMemoryEffectFree(&op))
      op.erase();
}

OwningOpRef<ModuleOp> ModelImporter::run(std::string &error) {
  ctx_.loadDialect<func::FuncDialect, graph::KilnGraphDialect>();
  ScopedDiagnosticHandler handler(&ctx_, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      diagnostics_.push_back(diag.str());
    return success();
  });
  auto fail = [&]() -> OwningOpRef<ModuleOp> {
    error = llvm::join(problems_, "; ");
    return nullptr;
  };

  for (const auto &tensor : graph_.initializer())
    initializerNames_.insert(tensor.name());
  for (const auto &info : graph_.value_info())
    declared_[info.name()] = &info;
  for (const auto &info : graph_.output())
    declared_[info.name()] = &info;
  readOpsets();
  specialiseInputs();
  SmallVector<Type> inputs = inputTypes();
  findUnsupportedOps();
  if (!problems_.empty() && !keepGoing_)
    return fail();
  SmallVector<Type> argTypes;
  for (Type t : inputs)
    if (t)
      argTypes.push_back(t);
  Location loc = FileLineColLoc::get(&ctx_, displayName_, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  auto func = func::FuncOp::create(loc, "main", builder_.getFunctionType(argTypes, {}));
  module->push_back(func);
  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToStart(entry);
  unsigned argIndex = 0, inputIndex = 0;
  for (const auto &input : graph_.input()) {
    if (initializerNames_.contains(input.name()))
      continue;
    if (inputs[inputIndex++])
      values_[input.name()] = entry->getArgument(argIndex++);
    else
      unknown_.insert(input.name()); // only in keepGoing mode: otherwise it failed above
  }
  bool imported = succeeded(importInitializers());
  imported = succeeded(importNodes()) && imported;
  if (keepGoing_) {
    if (skippedNodes_ > 0)
      problems_.push_back(std::to_string(skippedNodes_) + " more node(s) read the outputs of " +
                          "the nodes above and were not checked");
    if (!problems_.empty())
      return fail();
  }
  if (!imported)
    return fail();

  SmallVector<Value> results;
  for (const auto &output : graph_.output()) {
    Value value = values_.lookup(output.name());
    if (!value)
      problems_.push_back("graph output '" + output.name() + "' is never produced");
    else if (succeeded(checkOutput(output, value, "is declared")))
      results.push_back(value);
  }
  if (!problems_.empty())
    return fail();

  // kg inferred every type; ONNX's own inference is a cross-check of the converters. It runs
  // last, on a model kg has validated (libonnx divides by attributes such as strides without
  // checking them), and only for opsets its schemas know.
  if (opset_ <= maxOnnxInferenceOpset()) {
    std::string inferenceError;
    if (!runOnnxShapeInference(model_, inferenceError)) {
      problems_.push_back("ONNX shape inference failed: " + inferenceError);
      return fail();
    }
    for (auto [output, value] : llvm::zip(graph_.output(), results))
      (void)checkOutput(output, value, "is inferred by ONNX as");
    if (!problems_.empty())
      return fail();
  }
  // Run-time check flags follow the outputs; the executor reads them after the last kernel.
  size_t numOutputs = results.size();
  for (const auto &check : checks_)
    results.push_back(check.first);
  builder_.setInsertionPointToEnd(entry);
  builder_.create<func::ReturnOp>(loc, results);
  func.setType(builder_.getFunctionType(argTypes, ValueRange(results).getTypes()));
  argIndex = 0;
  for (const auto &input : graph_.input())
    if (!initializerNames_.contains(input.name()))
      func.setArgAttr(argIndex++, "kg.name", builder_.getStringAttr(input.name()));
  for (auto [i, output] : llvm::enumerate(graph_.output()))
    func.setResultAttr(i, "kg.name", builder_.getStringAttr(output.name()));
  for (auto [k, check] : llvm::enumerate(checks_))
    func.setResultAttr(numOutputs + k, "kg.check", builder_.getStringAttr(check.second));
  eraseDeadOps(*entry);

  size_t before = diagnostics_.size();
  if (failed(verify(*module))) {
    problems_.push_back("internal error: the imported module does not verify: " +
                        takeDiagnostics(before));
    return fail();
  }
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &ctx, const onnx::ModelProto &model,
                                      const std::string &modelDir, const ImportOptions &opts,
                                      std::string &error) {
  if (!model.has_graph()) {
    error = "the ONNX model has no graph";
    return nullptr;
  }
  onnx::ModelProto copy = model; // inference and input specialisation edit the proto
  return ModelImporter(ctx, copy, modelDir, "<onnx model>", opts).run(error);
}

namespace {

// Reads and parses the model file; a null result sets `error`.
std::unique_ptr<onnx::ModelProto> readModel(const std::string &path, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return nullptr;
  }
  if ((*buffer)->getBufferSize() > size_t(INT_MAX)) {
    error = "'" + path + "' is larger than 2 GiB; store its weights as external data";
    return nullptr;
  }
  auto model = std::make_unique<onnx::ModelProto>();
  if (!model->ParseFromArray((*buffer)->getBufferStart(), int((*buffer)->getBufferSize()))) {
    error = "'" + path +
            "' is not a valid ONNX model (the protobuf does not parse: truncated or "
            "not an ONNX file)";
    return nullptr;
  }
  if (!model->has_graph()) {
    error = "'" + path + "' is not an ONNX model: it has no graph";
    return nullptr;
  }
  return model;
}

std::string modelDirOf(const std::string &path) {
  llvm::StringRef parent = llvm::sys::path::parent_path(path);
  return parent.empty() ? "." : parent.str();
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &ctx, const std::string &path,
                                     const ImportOptions &opts, std::string &error) {
  std::unique_ptr<onnx::ModelProto> model = readModel(path, error);
  if (!model)
    return nullptr;
  OwningOpRef<ModuleOp> module = ModelImporter(ctx, *model, modelDirOf(path), path, opts).run(error);
  if (!module)
    error = path + ": " + error;
  return module;
}

bool readInputSignatures(const std::string &path, std::vector<InputSignature> &inputs,
                         std::string &error) {
  std::unique_ptr<onnx::ModelProto> model = readModel(path, error);
  if (!model)
    return false;
  llvm::StringSet<> initializers;
  for (const auto &tensor : model->graph().initializer())
    initializers.insert(tensor.name());
  for (const auto &input : model->graph().input()) {
    if (initializers.contains(input.name()) || !input.type().has_tensor_type() ||
        !input.type().tensor_type().has_shape())
      continue;
    InputSignature signature{input.name(), {}, {}};
    for (const auto &dim : input.type().tensor_type().shape().dim()) {
      bool known = dim.has_dim_value() && dim.dim_value() >= 0;
      signature.dims.push_back(known ? dim.dim_value() : -1);
      signature.dimParams.push_back(known ? "" : dim.dim_param());
    }
    inputs.push_back(std::move(signature));
  }
  return true;
}

std::vector<std::string> checkOnnxFile(MLIRContext &ctx, const std::string &path,
                                       const ImportOptions &opts) {
  std::string error;
  std::unique_ptr<onnx::ModelProto> model = readModel(path, error);
  if (!model)
    return {error};
  ModelImporter importer(ctx, *model, modelDirOf(path), path, opts, /*keepGoing=*/true);
  if (importer.run(error))
    return {};
  return importer.problems();
}

} // namespace kiln::onnx_frontend
