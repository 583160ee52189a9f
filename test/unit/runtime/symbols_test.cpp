// Symbolic dims in the runtime: metadata with symbols, binding them from the inputs (with the
// errors a caller sees), output shapes, and the copies between dense and padded layouts.
#include "runtime/cpu/metadata.h"
#include "runtime/cpu/staging.h"
#include "runtime/cpu/validate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace kiln::rt {
namespace {

const char kText[] = "kiln-model 1\n"
                     "workspace 0\n"
                     "symbol batch 1 4\n"
                     "symbol seq 2 16\n"
                     "input ids int64 2 $0,1,0 $1,1,0\n"
                     "input mask float32 2 $0,1,0 $1,1,0\n"
                     "output y float32 3 $0,1,0 $1,2,1 8\n";

Metadata parse() {
  Metadata m;
  std::string error;
  EXPECT_TRUE(parseMetadata(kText, &m, &error)) << error;
  return m;
}

struct Inputs {
  std::vector<int64_t> idsShape, maskShape;
  std::vector<char> data = std::vector<char>(4096);
  std::vector<kiln_tensor> tensors() {
    return {{KILN_DTYPE_I64, int32_t(idsShape.size()), idsShape.data(), data.data()},
            {KILN_DTYPE_F32, int32_t(maskShape.size()), maskShape.data(), data.data()}};
  }
};

std::string bind(Inputs in, std::vector<int64_t> &values) {
  Metadata m = parse();
  auto tensors = in.tensors();
  kiln_status status = bindSymbols(m, tensors.data(), tensors.size(), values);
  std::string message = status ? kiln_status_get_message(status) : "";
  kiln_status_free(status);
  return message;
}

TEST(Symbols, MetadataKeepsTheMaximaAndTheExpressions) {
  Metadata m = parse();
  ASSERT_EQ(m.symbols.size(), 2u);
  EXPECT_EQ(m.symbols[1].name, "seq");
  EXPECT_EQ(m.inputs[0].shape, (std::vector<int64_t>{4, 16}));
  EXPECT_EQ(m.outputs[0].shape, (std::vector<int64_t>{4, 33, 8}));
  EXPECT_EQ(m.outputs[0].reportedShape, (std::vector<int64_t>{-1, -1, 8}));
  EXPECT_STREQ(m.outputs[0].dimNames[1], "2*seq+1");
  EXPECT_EQ(m.outputs[0].dimNames[2], nullptr);
}

TEST(Symbols, BindsFromTheInputsAndGivesOutputShapes) {
  std::vector<int64_t> values;
  EXPECT_EQ(bind({{3, 5}, {3, 5}}, values), "");
  EXPECT_EQ(values, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(expectedShape(parse().outputs[0], values.data()), (std::vector<int64_t>{3, 11, 8}));
}

TEST(Symbols, OutOfRangeAndDisagreeingSizesNameTheInputs) {
  std::vector<int64_t> values;
  EXPECT_EQ(bind({{3, 17}, {3, 17}}, values),
            "input 'ids' dim 1 ('seq') is 17, outside the sizes the model was compiled for "
            "(seq in 2..16; recompile with kilnc --dim-range seq=MIN:MAX)");
  EXPECT_EQ(bind({{3, 5}, {3, 6}}, values),
            "input 'mask' dim 1 ('seq') is 6, but input 'ids' dim 1 sets 'seq' to 5");
  EXPECT_EQ(bind({{0, 5}, {0, 5}}, values).substr(0, 30), "input 'ids' dim 0 ('batch') is");
}

TEST(Symbols, MalformedSymbolRecordsAreRejected) {
  Metadata m;
  std::string error;
  EXPECT_FALSE(parseMetadata("kiln-model 1\nworkspace 0\nsymbol s 5 4\n", &m, &error));
  EXPECT_FALSE(parseMetadata("kiln-model 1\nworkspace 0\ninput x float32 1 $0,1,0\n", &m, &error));
  EXPECT_EQ(error, "line 3: bad dim '$0,1,0' (dims are non-negative integers or "
                   "$SYMBOL,SCALE,OFFSET)");
}

TEST(Staging, DenseTensorsRoundTripThroughTheirBoxAtTheMaxima) {
  const int64_t shape[] = {2, 3, 2}, maxShape[] = {3, 4, 5};
  std::vector<int32_t> dense(12), padded(60, -1), back(12, 0);
  std::iota(dense.begin(), dense.end(), 0);
  copyPadded(padded.data(), dense.data(), shape, maxShape, 3, sizeof(int32_t), true);
  // Element (i, j, k) sits at i*20 + j*5 + k; nothing outside the box is written.
  EXPECT_EQ(padded[0 * 20 + 2 * 5 + 1], 5);
  EXPECT_EQ(padded[1 * 20 + 0 * 5 + 0], 6);
  EXPECT_EQ(padded[1 * 20 + 2 * 5 + 1], 11);
  EXPECT_EQ(std::count(padded.begin(), padded.end(), -1), 60 - 12);
  copyPadded(padded.data(), back.data(), shape, maxShape, 3, sizeof(int32_t), false);
  EXPECT_EQ(back, dense);
}

} // namespace
} // namespace kiln::rt
