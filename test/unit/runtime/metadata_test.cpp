// The metadata parser: the format of kiln/model_abi.h, and a clear error for every malformation.
#include "runtime/cpu/metadata.h"

#include <gtest/gtest.h>

namespace kiln::rt {
namespace {

TEST(Metadata, ParsesAllRecords) {
  Metadata m;
  std::string error;
  ASSERT_TRUE(parseMetadata("kiln-model 1\n"
                            "workspace 4096\n"
                            "input images%3A0 float32 4 1 3 224 224\n"
                            "input scale float64 0\n"
                            "output logits/out int64 2 1 1000\n",
                            &m, &error))
      << error;
  EXPECT_EQ(m.workspaceBytes, 4096u);
  ASSERT_EQ(m.inputs.size(), 2u);
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].name, "images:0");
  EXPECT_EQ(m.inputs[0].dtype, KILN_DTYPE_F32);
  EXPECT_EQ(m.inputs[0].shape, (std::vector<int64_t>{1, 3, 224, 224}));
  EXPECT_EQ(m.inputs[0].numElements, 3u * 224 * 224);
  EXPECT_EQ(m.inputs[0].byteSize, 4u * 3 * 224 * 224);
  EXPECT_EQ(m.inputs[1].name, "scale");
  EXPECT_TRUE(m.inputs[1].shape.empty());
  EXPECT_EQ(m.inputs[1].numElements, 1u);
  EXPECT_EQ(m.inputs[1].byteSize, 8u);
  EXPECT_EQ(m.outputs[0].name, "logits/out");
  EXPECT_EQ(m.outputs[0].dtype, KILN_DTYPE_I64);
}

TEST(Metadata, AcceptsBlankLinesMissingFinalNewlineAndZeroDims) {
  Metadata m;
  std::string error;
  ASSERT_TRUE(parseMetadata("\nkiln-model 1\n\nworkspace 0\noutput y bool 2 0 5", &m, &error))
      << error;
  EXPECT_EQ(m.outputs[0].numElements, 0u);
  EXPECT_EQ(m.outputs[0].byteSize, 0u);
}

TEST(Metadata, PercentDecoding) {
  std::string out;
  EXPECT_TRUE(percentDecode("a%20b", &out));
  EXPECT_EQ(out, "a b");
  EXPECT_TRUE(percentDecode("x%2fY%2F_.:-/9", &out));
  EXPECT_EQ(out, "x/Y/_.:-/9");
  EXPECT_TRUE(percentDecode("%C3%A9", &out)); // UTF-8 passes through byte by byte
  EXPECT_EQ(out, "\xC3\xA9");
  for (const char *bad : {"", "%", "%2", "a%zz", "%00", "a$b", "a b", "\xC3\xA9", "%%41"})
    EXPECT_FALSE(percentDecode(bad, &out)) << "'" << bad << "'";
}

TEST(Metadata, FormatShape) {
  int64_t dims[] = {1, 3, 224, 224};
  EXPECT_EQ(formatShape(dims, 4), "1x3x224x224");
  EXPECT_EQ(formatShape(dims, 1), "1");
  EXPECT_EQ(formatShape(nullptr, 0), "scalar");
}

struct BadCase {
  const char *text;
  const char *error;
};

// Names the case by its expected error in test listings (the default prints raw bytes).
void PrintTo(const BadCase &c, std::ostream *os) { *os << '"' << c.error << '"'; }

class MalformedMetadata : public testing::TestWithParam<BadCase> {};

TEST_P(MalformedMetadata, GivesAClearError) {
  Metadata m;
  std::string error;
  EXPECT_FALSE(parseMetadata(GetParam().text, &m, &error));
  EXPECT_EQ(error, GetParam().error);
}

#define HEADER "kiln-model 1\nworkspace 0\n"
INSTANTIATE_TEST_SUITE_P(
    Metadata, MalformedMetadata,
    testing::Values(
        BadCase{"", "metadata is empty"}, BadCase{"\n \n", "metadata is empty"},
        BadCase{"workspace 0\n", "line 1: expected 'kiln-model <version>' as the first record"},
        BadCase{"kiln-model\n", "line 1: expected 'kiln-model <version>' as the first record"},
        BadCase{"kiln-model 2\nworkspace 0\n",
                "line 1: unsupported metadata version 2 (this runtime reads version 1)"},
        BadCase{"kiln-model 1\n", "missing 'workspace' record"},
        BadCase{"kiln-model 1\nworkspace -5\n", "line 2: expected 'workspace <bytes>'"},
        BadCase{"kiln-model 1\nworkspace 99999999999999999999\n",
                "line 2: expected 'workspace <bytes>'"},
        BadCase{HEADER "workspace 0\n", "line 3: second 'workspace' record"},
        BadCase{HEADER "input x float32\n",
                "line 3: expected 'input <name> <dtype> <rank> <dims...>'"},
        BadCase{HEADER "input x float99 1 4\n", "line 3: unknown dtype 'float99'"},
        BadCase{HEADER "output x float32 2 3\n", "line 3: rank 2 but 1 dims"},
        BadCase{HEADER "input x float32 1 2 3\n", "line 3: rank 1 but 2 dims"},
        BadCase{HEADER "input x float32 r 3\n", "line 3: bad rank 'r'"},
        BadCase{HEADER "input x float32 1 -3\n",
                "line 3: bad dim '-3' (dims are non-negative integers or $SYMBOL,SCALE,OFFSET)"},
        BadCase{HEADER "input x float32 1 ?\n",
                "line 3: bad dim '?' (dims are non-negative integers or $SYMBOL,SCALE,OFFSET)"},
        BadCase{HEADER "input x%zz float32 0\n",
                "line 3: bad name 'x%zz' (names are percent-encoded)"},
        BadCase{HEADER "input x float32 3 4294967296 4294967296 4294967296\n",
                "line 3: shape 4294967296x4294967296x4294967296 is too large"},
        BadCase{HEADER "input x float64 1 4611686018427387904\n",
                "line 3: shape 4611686018427387904 is too large"},
        BadCase{HEADER "input x float32 0\ninput x int8 0\n", "line 4: duplicate input 'x'"},
        BadCase{HEADER "tensor x float32 0\n", "line 3: unknown record 'tensor'"}));
#undef HEADER

} // namespace
} // namespace kiln::rt
