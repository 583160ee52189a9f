// kiln-run's .npy reader and writer: round trips of every dtype, files as numpy writes them,
// and a one-line reason for every file it must reject.
#include "tools/kiln-run/npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace kiln::run {
namespace {

std::string tempPath(const std::string &name) {
  return testing::TempDir() + "kiln_npy_" + std::to_string(::getpid()) + "_" + name;
}

// Writes a file the way numpy does: magic, version, header length, padded header, data.
std::string writeRaw(const std::string &name, const std::string &header, const std::string &data,
                     int version = 1) {
  std::string padded = header;
  size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + padded.size() + 1) % 64)
    padded += ' ';
  padded += '\n';
  std::string bytes("\x93NUMPY", 6);
  bytes += char(version);
  bytes += char(0);
  for (size_t i = 0; i < prefix - 8; ++i)
    bytes += char((padded.size() >> (8 * i)) & 0xff);
  std::string path = tempPath(name);
  std::ofstream(path, std::ios::binary) << bytes << padded << data;
  return path;
}

std::string floats(std::initializer_list<float> values) {
  std::string data(values.size() * 4, '\0');
  std::memcpy(data.data(), values.begin(), data.size());
  return data;
}

TEST(Npy, RoundTripsEveryDtype) {
  const kiln_dtype dtypes[] = {KILN_DTYPE_F32, KILN_DTYPE_F16, KILN_DTYPE_BF16,
                               KILN_DTYPE_F64, KILN_DTYPE_I8,  KILN_DTYPE_U8,
                               KILN_DTYPE_I32, KILN_DTYPE_I64, KILN_DTYPE_BOOL,
                               KILN_DTYPE_I16, KILN_DTYPE_U16, KILN_DTYPE_U32,
                               KILN_DTYPE_U64};
  const std::vector<int64_t> shapes[] = {{}, {5}, {2, 3, 4}, {3, 0}, {1, 1, 1, 1, 7}};
  for (kiln_dtype dtype : dtypes) {
    for (const auto &shape : shapes) {
      HostTensor tensor(dtype, shape);
      fillRandom(tensor, 42);
      std::string path = tempPath("roundtrip.npy"), error;
      ASSERT_TRUE(writeNpy(path, tensor, &error)) << error;
      HostTensor back;
      ASSERT_TRUE(readNpy(path, dtype, &back, &error)) << dtypeName(dtype) << ": " << error;
      EXPECT_EQ(back.dtype(), dtype);
      EXPECT_EQ(back.shape(), shape);
      ASSERT_EQ(back.byteSize(), tensor.byteSize());
      EXPECT_EQ(std::memcmp(back.data(), tensor.data(), tensor.byteSize()), 0);
      std::remove(path.c_str());
    }
  }
}

TEST(Npy, WritesNumpysHeaderLayout) {
  HostTensor tensor(KILN_DTYPE_F32, {3});
  std::string path = tempPath("layout.npy"), error;
  ASSERT_TRUE(writeNpy(path, tensor, &error)) << error;
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  // Data starts 64-byte aligned, right after the space-padded header and its '\n'.
  ASSERT_EQ(bytes.size(), 128u + 12);
  EXPECT_EQ(bytes.substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10)); // 118 bytes
  EXPECT_EQ(bytes.substr(10, dict.size()), dict);
  EXPECT_EQ(bytes.substr(10 + dict.size(), 127 - 10 - dict.size()),
            std::string(127 - 10 - dict.size(), ' '));
  EXPECT_EQ(bytes[127], '\n');
}

TEST(Npy, ReadsNumpyFiles) {
  std::string error;
  HostTensor t;
  std::string v1 = writeRaw("v1.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                            floats({1, 2, 3, 4}));
  ASSERT_TRUE(readNpy(v1, KILN_DTYPE_F32, &t, &error)) << error;
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t.valueAsDouble(3), 4.0);
  // Version 2, double quotes, keys in another order, a 1-D Fortran array (same as C order).
  std::string v2 =
      writeRaw("v2.npy", "{\"shape\": (4,), \"fortran_order\": True, \"descr\": \"<f4\"}",
               floats({5, 6, 7, 8}), 2);
  ASSERT_TRUE(readNpy(v2, KILN_DTYPE_F32, &t, &error)) << error;
  EXPECT_EQ(t.valueAsDouble(0), 5.0);
  std::string scalar =
      writeRaw("scalar.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", "\x07");
  ASSERT_TRUE(readNpy(scalar, KILN_DTYPE_U8, &t, &error)) << error;
  EXPECT_TRUE(t.shape().empty());
  EXPECT_EQ(t.valueAsDouble(0), 7.0);
}

struct BadFile {
  const char *name;
  std::string header;
  std::string data;
  const char *error;
};

TEST(Npy, RejectsBadFiles) {
  const std::string f32x4 = floats({1, 2, 3, 4});
  const BadFile cases[] = {
      {"fortran", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f32x4,
       "Fortran-order arrays are not supported (save with np.ascontiguousarray)"},
      {"bigendian", "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", f32x4,
       "big-endian dtype '>f4' is not supported"},
      {"complex", "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", f32x4,
       "unsupported dtype '<c8'"},
      {"uint128", "{'descr': '<u16', 'fortran_order': False, 'shape': (1,), }", f32x4,
       "unsupported dtype '<u16'"},
      {"structured", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", f32x4,
       "malformed header (descr is not a simple type string)"},
      {"noshape", "{'descr': '<f4', 'fortran_order': False, }", f32x4,
       "malformed header (needs descr, fortran_order and shape)"},
      {"badshape", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }", f32x4,
       "malformed header (shape is not a tuple of integers)"},
      {"truncated", "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", f32x4,
       "truncated data: expected 20 bytes, found 16"},
      {"trailing", "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f32x4,
       "trailing data: expected 12 bytes, found 16"},
      {"huge", "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", f32x4,
       "shape 4611686018427387904 is too large"},
  };
  for (const BadFile &c : cases) {
    std::string path = writeRaw(std::string(c.name) + ".npy", c.header, c.data), error;
    HostTensor t;
    EXPECT_FALSE(readNpy(path, KILN_DTYPE_F32, &t, &error)) << c.name;
    EXPECT_EQ(error, c.error) << c.name;
  }
  std::string error;
  HostTensor t;
  std::string notNpy = tempPath("not.npy");
  std::ofstream(notNpy) << "hello, this is text";
  EXPECT_FALSE(readNpy(notNpy, KILN_DTYPE_F32, &t, &error));
  EXPECT_EQ(error, "not a .npy file");
  EXPECT_FALSE(readNpy(tempPath("missing.npy"), KILN_DTYPE_F32, &t, &error));
  EXPECT_EQ(error, "cannot open: No such file or directory");
}

TEST(Npy, HalfPrecisionConversions) {
  for (float v : {0.0f, 1.0f, -2.5f, 0.333251953125f, 65504.0f, 6.103515625e-05f, 5.96e-08f})
    EXPECT_EQ(halfToFloat(floatToHalf(v)), v == 5.96e-08f ? 5.9604644775390625e-08f : v) << v;
  EXPECT_EQ(floatToHalf(1e6f), 0x7c00);
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToBfloat16(1.0f), 0x3f80);
  EXPECT_EQ(bfloat16ToFloat(floatToBfloat16(-3.140625f)), -3.140625f);
}

} // namespace
} // namespace kiln::run
