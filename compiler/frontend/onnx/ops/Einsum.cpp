// Einsum as existing kg ops: per operand, diagonals (repeated labels) by a strided slice of the
// merged dims and sums over labels used nowhere else; then operands contract pairwise, left to
// right, as one batched matmul each (transposes and reshapes around it); finally a transpose to
// the output's label order.
#include "compiler/frontend/onnx/ops/DataMovement.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// A letter's label is its character; the dims an ellipsis stands for, aligned from the right
// across operands, get labels kEllipsis + i.
constexpr int kEllipsis = 256;

struct Term {
  Value value;
  SmallVector<int> labels; // one per dim
};

// Labels of one term of `rank` dims; `ellipsisRank` is the widest ellipsis of all operands.
FailureOr<SmallVector<int>> parseTerm(OpBinder &b, StringRef text, int64_t rank,
                                      int64_t ellipsisRank) {
  SmallVector<int> labels;
  size_t dots = text.find("...");
  int64_t letters = text.size() - (dots == StringRef::npos ? 0 : 3);
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == dots) {
      int64_t covered = rank < 0 ? ellipsisRank : rank - letters; // rank < 0: the output
      for (int64_t j = 0; j < covered; ++j)
        labels.push_back(kEllipsis + ellipsisRank - covered + j);
      i += 2;
    } else if (std::isalpha(text[i])) {
      labels.push_back(text[i]);
    } else {
      b.emitError() << "equation term '" << text << "' has an invalid character";
      return failure();
    }
  }
  if (rank >= 0 && int64_t(labels.size()) != rank) {
    b.emitError() << "equation term '" << text << "' does not match an operand of rank " << rank;
    return failure();
  }
  return labels;
}

FailureOr<Value> transposeTo(OpBinder &b, Value x, ArrayRef<int64_t> perm) {
  return b.create<kg::TransposeOp>(x, b.builder().getDenseI64ArrayAttr(perm));
}

// Replaces each pair of dims with the same label by their diagonal.
LogicalResult takeDiagonals(OpBinder &b, Term &t) {
  for (size_t i = 0; i < t.labels.size(); ++i)
    for (size_t j = i + 1; j < t.labels.size(); ++j) {
      if (t.labels[i] != t.labels[j])
        continue;
      ArrayRef<int64_t> shape = b.typeOf(t.value).getShape();
      int64_t n = shape[i];
      if (shape[j] != n)
        return b.emitError() << "label '" << char(t.labels[i]) << "' has sizes " << n << " and "
                             << shape[j];
      SmallVector<int64_t> perm, merged;
      SmallVector<int> labels;
      for (size_t d = 0; d < shape.size(); ++d)
        if (d != i && d != j) {
          perm.push_back(d);
          merged.push_back(shape[d]);
          labels.push_back(t.labels[d]);
        }
      perm.append({int64_t(i), int64_t(j)});
      merged.push_back(n * n);
      labels.push_back(t.labels[i]);
      auto moved = transposeTo(b, t.value, perm);
      auto flat = succeeded(moved) ? b.reshape(*moved, merged) : FailureOr<Value>(failure());
      if (failed(flat))
        return failure();
      // The diagonal of an n x n block is every (n + 1)-th element of its n * n merge.
      SmallVector<int64_t> starts(merged.size(), 0), sizes(merged), steps(merged.size(), 1);
      sizes.back() = n;
      steps.back() = n + 1;
      OpBuilder &ob = b.builder();
      auto diagonal = b.create<kg::SliceOp>(*flat, ob.getDenseI64ArrayAttr(starts),
                                            ob.getDenseI64ArrayAttr(sizes),
                                            ob.getDenseI64ArrayAttr(steps));
      if (failed(diagonal))
        return failure();
      t = {*diagonal, labels};
      return takeDiagonals(b, t);
    }
  return success();
}

// Sums over the dims whose label is not in `needed`.
LogicalResult sumUnneeded(OpBinder &b, Term &t, ArrayRef<int> needed) {
  SmallVector<int64_t> axes;
  SmallVector<int> kept;
  for (size_t d = 0; d < t.labels.size(); ++d) {
    if (llvm::is_contained(needed, t.labels[d]))
      kept.push_back(t.labels[d]);
    else
      axes.push_back(d);
  }
  if (axes.empty())
    return success();
  auto sum = b.create<kg::ReduceSumOp>(t.value, b.builder().getDenseI64ArrayAttr(axes),
                                       b.builder().getBoolAttr(false));
  if (failed(sum))
    return failure();
  t = {*sum, kept};
  return success();
}

int64_t dimOf(OpBinder &b, const Term &t, int label) {
  return b.typeOf(t.value).getDimSize(llvm::find(t.labels, label) - t.labels.begin());
}

// a, b → one term over batch + a-only + b-only labels: [B, M, K] x [B, K, N] batched matmul.
FailureOr<Term> contract(OpBinder &b, Term lhs, Term rhs, ArrayRef<int> keep) {
  SmallVector<int> batch, lhsFree, rhsFree, summed;
  for (int l : lhs.labels)
    (llvm::is_contained(rhs.labels, l) ? (llvm::is_contained(keep, l) ? batch : summed) : lhsFree)
        .push_back(l);
  for (int l : rhs.labels)
    if (!llvm::is_contained(lhs.labels, l))
      rhsFree.push_back(l);
  auto arrange = [&](Term &t, ArrayRef<ArrayRef<int>> groups) -> FailureOr<Value> {
    SmallVector<int64_t> perm, shape;
    for (ArrayRef<int> group : groups) {
      int64_t size = 1;
      for (int l : group) {
        perm.push_back(llvm::find(t.labels, l) - t.labels.begin());
        size *= dimOf(b, t, l);
      }
      shape.push_back(size);
    }
    auto moved = transposeTo(b, t.value, perm);
    if (failed(moved))
      return failure();
    return b.reshape(*moved, shape);
  };
  for (int l : batch)
    if (dimOf(b, lhs, l) != dimOf(b, rhs, l)) {
      b.emitError() << "a label has sizes " << dimOf(b, lhs, l) << " and " << dimOf(b, rhs, l)
                    << " (broadcasting in Einsum is not supported)";
      return failure();
    }
  for (int l : summed)
    if (dimOf(b, lhs, l) != dimOf(b, rhs, l)) {
      b.emitError() << "a contracted label has sizes " << dimOf(b, lhs, l) << " and "
                    << dimOf(b, rhs, l);
      return failure();
    }
  auto a = arrange(lhs, {batch, lhsFree, summed}), c = arrange(rhs, {batch, summed, rhsFree});
  if (failed(a) || failed(c))
    return failure();
  auto product = b.create<kg::MatMulOp>(*a, *c);
  if (failed(product))
    return failure();
  SmallVector<int> labels(batch);
  labels.append(lhsFree);
  labels.append(rhsFree);
  SmallVector<int64_t> shape;
  for (int l : labels)
    shape.push_back(llvm::is_contained(lhs.labels, l) ? dimOf(b, lhs, l) : dimOf(b, rhs, l));
  auto result = b.reshape(*product, shape);
  if (failed(result))
    return failure();
  return Term{*result, labels};
}

LogicalResult convertEinsum(OpBinder &b) {
  std::string equation;
  for (char c : b.stringAttr("equation", ""))
    if (!std::isspace(c))
      equation.push_back(c);
  StringRef text(equation);
  auto [inputsText, outputText] = text.split("->");
  bool explicitOutput = text.contains("->");
  SmallVector<StringRef> termTexts;
  inputsText.split(termTexts, ',');
  if (termTexts.size() != b.numInputs())
    return b.emitError() << "equation '" << equation << "' has " << termTexts.size()
                         << " terms for " << b.numInputs() << " inputs";
  int64_t ellipsisRank = 0;
  for (auto [i, term] : llvm::enumerate(termTexts)) {
    if (!b.input(i))
      return b.emitError() << "input " << i << " is missing";
    if (term.contains("..."))
      ellipsisRank = std::max<int64_t>(ellipsisRank, b.typeOf(b.input(i)).getRank() -
                                                         (int64_t(term.size()) - 3));
  }
  SmallVector<Term> terms;
  for (auto [i, term] : llvm::enumerate(termTexts)) {
    auto labels = parseTerm(b, term, b.typeOf(b.input(i)).getRank(), ellipsisRank);
    if (failed(labels))
      return failure();
    terms.push_back({b.input(i), *labels});
  }
  SmallVector<int> output;
  if (explicitOutput) {
    auto labels = parseTerm(b, outputText, -1, ellipsisRank);
    if (failed(labels))
      return failure();
    output = *labels;
  } else { // ellipsis dims, then the letters used once, alphabetically
    for (int64_t j = 0; j < ellipsisRank; ++j)
      output.push_back(kEllipsis + j);
    for (int c = 'A'; c <= 'z'; ++c) {
      int uses = 0;
      for (const Term &t : terms)
        uses += llvm::count(t.labels, c);
      if (uses == 1)
        output.push_back(c);
    }
  }
  for (Term &t : terms)
    if (failed(takeDiagonals(b, t)))
      return failure();
  // Each step keeps the labels of the output and of the operands still to come.
  auto neededAfter = [&](size_t i) {
    SmallVector<int> needed(output);
    for (size_t j = i + 1; j < terms.size(); ++j)
      needed.append(terms[j].labels);
    return needed;
  };
  Term acc = terms[0];
  if (failed(sumUnneeded(b, acc, neededAfter(0))))
    return failure();
  for (size_t i = 1; i < terms.size(); ++i) {
    SmallVector<int> keep = neededAfter(i);
    SmallVector<int> lhsNeeded(keep), rhsNeeded(keep);
    lhsNeeded.append(terms[i].labels);
    rhsNeeded.append(acc.labels);
    if (failed(sumUnneeded(b, acc, lhsNeeded)) || failed(sumUnneeded(b, terms[i], rhsNeeded)))
      return failure();
    auto next = contract(b, acc, terms[i], keep);
    if (failed(next))
      return failure();
    acc = *next;
  }
  if (failed(sumUnneeded(b, acc, output)))
    return failure();
  SmallVector<int64_t> perm;
  for (int l : output) {
    auto it = llvm::find(acc.labels, l);
    if (it == acc.labels.end())
      return b.emitError() << "output label '" << char(l < kEllipsis ? l : '.')
                           << "' is not in any input";
    perm.push_back(it - acc.labels.begin());
  }
  if (perm.size() != acc.labels.size())
    return b.emitError() << "output repeats a label";
  return setResult(b, transposeTo(b, acc.value, perm));
}

} // namespace

void populateEinsumConverters(ConverterRegistry &r) { r.add("Einsum", 12, convertEinsum); }

} // namespace kiln::onnx_frontend
