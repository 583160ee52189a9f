#include "ir/graph/Winograd.h"

#include "ir/graph/ConstantData.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cstring>
#include <vector>

using namespace mlir;

namespace kiln::graph {

// F(2x2, 3x3) and F(4x4, 3x3) with the interpolation points 0, +-1 (and +-2, 1/2 for m = 4)
// of Lavin and Gray; the points keep the transforms' coefficients small, so F(4x4) loses about
// two decimal digits of f32 to rounding, F(2x2) almost none.
static const double kInput2[] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};
static const double kFilter2[] = {1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1};
static const double kOutput2[] = {1, 1, 1, 0, 0, 1, -1, -1};

static const double kInput4[] = {4, 0, -5, 0,  1, 0, 0, -4, -4, 1,  1, 0,
                                 0, 4, -4, -1, 1, 0, 0, -2, -1, 2,  1, 0,
                                 0, 2, -1, -2, 1, 0, 0, 4,  0,  -5, 0, 1};
static const double kFilter4[] = {1.0 / 4,  0,         0,         -1.0 / 6, -1.0 / 6, -1.0 / 6,
                                  -1.0 / 6, 1.0 / 6,   -1.0 / 6,  1.0 / 24, 1.0 / 12, 1.0 / 6,
                                  1.0 / 24, -1.0 / 12, 1.0 / 6,   0,        0,        1};
static const double kOutput4[] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2,  -2, 0,
                                  0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1};

const WinogradMatrices *winogradMatrices(int64_t tile) {
  static const WinogradMatrices f2{2, 4, kInput2, kFilter2, kOutput2};
  static const WinogradMatrices f4{4, 6, kInput4, kFilter4, kOutput4};
  return tile == 2 ? &f2 : tile == 4 ? &f4 : nullptr;
}

ElementsAttr transformWinogradFilter(ElementsAttr filter, int64_t tile) {
  const WinogradMatrices *w = winogradMatrices(tile);
  auto type = llvm::dyn_cast<RankedTensorType>(filter.getType());
  if (!w || !type || !type.getElementType().isF32() || type.getRank() != 4 ||
      type.getDimSize(0) != 3 || type.getDimSize(1) != 3)
    return nullptr;
  bool isSplat = false;
  std::optional<ArrayRef<char>> raw = getRawBytes(filter, isSplat);
  int64_t planeSize = type.getDimSize(2) * type.getDimSize(3); // C x F
  if (!raw || (!isSplat && int64_t(raw->size()) != 9 * planeSize * int64_t(sizeof(float))))
    return nullptr;
  auto at = [&](int64_t a, int64_t b, int64_t cf) {
    float v;
    std::memcpy(&v, raw->data() + (isSplat ? 0 : ((a * 3 + b) * planeSize + cf) * sizeof(float)),
                sizeof(float));
    return double(v);
  };
  int64_t alpha = w->alpha;
  std::vector<float> out(alpha * alpha * planeSize);
  std::vector<double> rows(alpha * 3); // G g for one (c, f): alpha x 3
  for (int64_t cf = 0; cf < planeSize; ++cf) {
    for (int64_t xi = 0; xi < alpha; ++xi)
      for (int64_t b = 0; b < 3; ++b) {
        double sum = 0;
        for (int64_t a = 0; a < 3; ++a)
          sum += w->g(xi, a) * at(a, b, cf);
        rows[xi * 3 + b] = sum;
      }
    for (int64_t xi = 0; xi < alpha; ++xi)
      for (int64_t nu = 0; nu < alpha; ++nu) {
        double sum = 0;
        for (int64_t b = 0; b < 3; ++b)
          sum += rows[xi * 3 + b] * w->g(nu, b);
        out[(xi * alpha + nu) * planeSize + cf] = float(sum);
      }
  }
  auto outType = RankedTensorType::get(
      {alpha, alpha, type.getDimSize(2), type.getDimSize(3)}, type.getElementType());
  return makeResourceF32(outType, out, "winograd_filter");
}

} // namespace kiln::graph
