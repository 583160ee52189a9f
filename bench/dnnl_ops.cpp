// Times single operators with oneDNN's primitives (the peer of bench/ops_bench.py) and prints one
// JSON object per operator. Not part of the main build: ops_bench.py compiles it with
//   clang++-19 -O2 -std=c++17 bench/dnnl_ops.cpp -ldnnl -o dnnl_ops
//
// Usage: OMP_NUM_THREADS=2 dnnl_ops [--iters N] [--warmup N] [--plain] < shapes.txt
// Each input line is "name kind fields..." as bench/op_shapes.py's spec_line() writes it.
// Debian's libdnnl runs on OpenMP (libgomp), which reads OMP_NUM_THREADS when it loads, so the
// thread count comes from the environment; it is echoed in each result.
//
// Weights are constants in a model, so they are reordered into the primitive's preferred layout
// before timing, as a framework would at load time. Convolution activations use the layouts the
// primitive prefers (blocked, like benchdnn); --plain takes NCHW in and gives NCHW out, timing the
// reorders to and from those layouts with the primitive, as a framework running this one op on
// NCHW tensors would. Matmul and the normalizations run on plain row-major/NCHW data.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Step {
  primitive prim;
  std::unordered_map<int, memory> args;
};

// The primitives of one timed run, in order (reorders around the op with --plain).
struct Bench {
  std::vector<Step> steps;
  std::string impl;
};

struct Context {
  engine eng{engine::kind::cpu, 0};
  stream strm{eng};
  std::mt19937 rng{1};
  bool plain = false;
};

// A memory of layout `target` holding uniform [-1, 1) values, written in `plain` layout first
// so that the padding of a blocked layout stays zero.
memory filled(Context &ctx, const memory::desc &plain, const memory::desc &target) {
  memory src(plain, ctx.eng);
  auto *data = static_cast<float *>(src.get_data_handle());
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (size_t i = 0, n = plain.get_size() / sizeof(float); i < n; ++i) data[i] = dist(ctx.rng);
  if (plain == target) return src;
  memory dst(target, ctx.eng);
  reorder(src, dst).execute(ctx.strm, src, dst);
  ctx.strm.wait();
  return dst;
}

memory::desc md(const memory::dims &dims, tag t) { return memory::desc(dims, dt::f32, t); }

// The op on activations in its preferred layouts; with --plain, reorders from NCHW before it and
// back to NCHW after it (skipped where the preferred layout is NCHW already).
Bench withActivations(Context &ctx, primitive prim, const memory::desc &src,
                      const memory::desc &dst, const memory::desc &srcPlain,
                      const memory::desc &dstPlain, memory weights, std::string impl) {
  Bench b{{}, std::move(impl)};
  memory in = filled(ctx, srcPlain, src), out(dst, ctx.eng);
  if (ctx.plain && src != srcPlain) {
    memory user = filled(ctx, srcPlain, srcPlain);
    b.steps.push_back({reorder(user, in), {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, in}}});
  }
  b.steps.push_back({prim, {{DNNL_ARG_SRC, in}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out}}});
  if (ctx.plain && dst != dstPlain) {
    memory user(dstPlain, ctx.eng);
    b.steps.push_back({reorder(out, user), {{DNNL_ARG_FROM, out}, {DNNL_ARG_TO, user}}});
  }
  return b;
}

Bench makeMatmul(Context &ctx, const std::map<std::string, long> &d) {
  long b = d.at("B"), m = d.at("M"), n = d.at("N"), k = d.at("K");
  auto a = md({b, m, k}, tag::abc), w = md({b, k, n}, tag::abc), c = md({b, m, n}, tag::abc);
  matmul::primitive_desc pd(matmul::desc(a, w, c), ctx.eng);
  return {{{matmul(pd),
            {{DNNL_ARG_SRC, filled(ctx, a, a)},
             {DNNL_ARG_WEIGHTS, filled(ctx, w, w)},
             {DNNL_ARG_DST, memory(c, ctx.eng)}}}},
          pd.impl_info_str()};
}

// c2d and dep (groups = C, one output channel per group).
Bench makeConv(Context &ctx, const std::map<std::string, long> &d, bool depthwise) {
  long c = d.at("C"), k = depthwise ? c : d.at("K"), h = d.at("H"), w = d.at("W");
  long r = d.at("R"), s = d.at("stride"), p = d.at("pad");
  long oh = (h + 2 * p - r) / s + 1, ow = (w + 2 * p - r) / s + 1;
  auto src = md({1, c, h, w}, tag::any), dst = md({1, k, oh, ow}, tag::any);
  memory::dims wdims = depthwise ? memory::dims{c, 1, 1, r, r} : memory::dims{k, c, r, r};
  auto wplain = md(wdims, depthwise ? tag::goihw : tag::oihw);
  convolution_forward::desc desc(prop_kind::forward_inference, algorithm::convolution_auto, src,
                                 md(wdims, tag::any), dst, {s, s}, {p, p}, {p, p});
  convolution_forward::primitive_desc pd(desc, ctx.eng);
  return withActivations(ctx, convolution_forward(pd), pd.src_desc(), pd.dst_desc(),
                         md({1, c, h, w}, tag::nchw), md({1, k, oh, ow}, tag::nchw),
                         filled(ctx, wplain, pd.weights_desc()), pd.impl_info_str());
}

Bench makeDeconv(Context &ctx, const std::map<std::string, long> &d) {
  long c = d.at("C"), k = d.at("K"), h = d.at("H"), w = d.at("W");
  long r = d.at("R"), s = d.at("stride"), p = d.at("pad");
  long oh = (h - 1) * s - 2 * p + r, ow = (w - 1) * s - 2 * p + r;
  memory::dims wdims{k, c, r, r};
  deconvolution_forward::desc desc(prop_kind::forward_inference, algorithm::deconvolution_direct,
                                   md({1, c, h, w}, tag::any), md(wdims, tag::any),
                                   md({1, k, oh, ow}, tag::any), {s, s}, {p, p}, {p, p});
  deconvolution_forward::primitive_desc pd(desc, ctx.eng);
  return withActivations(ctx, deconvolution_forward(pd), pd.src_desc(), pd.dst_desc(),
                         md({1, c, h, w}, tag::nchw), md({1, k, oh, ow}, tag::nchw),
                         filled(ctx, md(wdims, tag::oihw), pd.weights_desc()), pd.impl_info_str());
}

Bench makeLayerNorm(Context &ctx, const std::map<std::string, long> &d) {
  long m = d.at("M"), n = d.at("N");
  auto data = md({m, n}, tag::ab), channel = md({n}, tag::a);
  layer_normalization_forward::desc desc(
      prop_kind::forward_inference, data, 1e-5f,
      normalization_flags::use_scale | normalization_flags::use_shift);
  layer_normalization_forward::primitive_desc pd(desc, ctx.eng);
  return {{{layer_normalization_forward(pd),
            {{DNNL_ARG_SRC, filled(ctx, data, data)},
             {DNNL_ARG_SCALE, filled(ctx, channel, channel)},
             {DNNL_ARG_SHIFT, filled(ctx, channel, channel)},
             {DNNL_ARG_DST, memory(data, ctx.eng)}}}},
          pd.impl_info_str()};
}

Bench makeBatchNorm(Context &ctx, const std::map<std::string, long> &d) {
  long c = d.at("C"), h = d.at("H"), w = d.at("W");
  auto data = md({1, c, h, w}, tag::nchw), channel = md({c}, tag::a);
  batch_normalization_forward::desc desc(prop_kind::forward_inference, data, 1e-5f,
                                         normalization_flags::use_global_stats |
                                             normalization_flags::use_scale |
                                             normalization_flags::use_shift);
  batch_normalization_forward::primitive_desc pd(desc, ctx.eng);
  memory variance = filled(ctx, channel, channel);
  auto *v = static_cast<float *>(variance.get_data_handle());
  for (long i = 0; i < c; ++i) v[i] = 1.f + v[i] * v[i];  // a variance is positive
  return {{{batch_normalization_forward(pd),
            {{DNNL_ARG_SRC, filled(ctx, data, data)},
             {DNNL_ARG_MEAN, filled(ctx, channel, channel)},
             {DNNL_ARG_VARIANCE, variance},
             {DNNL_ARG_SCALE, filled(ctx, channel, channel)},
             {DNNL_ARG_SHIFT, filled(ctx, channel, channel)},
             {DNNL_ARG_DST, memory(data, ctx.eng)}}}},
          pd.impl_info_str()};
}

const std::map<std::string, std::vector<std::string>> kFields = {
    {"gmm", {"B", "M", "N", "K"}},
    {"c2d", {"C", "K", "H", "W", "R", "stride", "pad"}},
    {"dep", {"C", "H", "W", "R", "stride", "pad"}},
    {"t2d", {"C", "K", "H", "W", "R", "stride", "pad"}},
    {"ln", {"M", "N"}},
    {"bn", {"C", "H", "W"}},
};

Bench make(Context &ctx, const std::string &kind, const std::map<std::string, long> &d) {
  if (kind == "gmm") return makeMatmul(ctx, d);
  if (kind == "c2d") return makeConv(ctx, d, /*depthwise=*/false);
  if (kind == "dep") return makeConv(ctx, d, /*depthwise=*/true);
  if (kind == "t2d") return makeDeconv(ctx, d);
  if (kind == "ln") return makeLayerNorm(ctx, d);
  return makeBatchNorm(ctx, d);
}

double percentile(std::vector<double> sorted, double p) {
  size_t rank = static_cast<size_t>(std::max(1.0, std::ceil(p / 100 * sorted.size())));
  return sorted[std::min(sorted.size(), rank) - 1];
}

// Times `iters` runs after `warmup` ones; one JSON line.
void run(Context &ctx, const std::string &name, Bench &b, int iters, int warmup) {
  auto once = [&] {
    for (Step &step : b.steps) step.prim.execute(ctx.strm, step.args);
  };
  for (int i = 0; i < warmup; ++i) once();
  ctx.strm.wait();
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    once();
    ctx.strm.wait();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  double mean = 0;
  for (double t : ms) mean += t / ms.size();
  std::sort(ms.begin(), ms.end());
  const char *threads = std::getenv("OMP_NUM_THREADS");
  std::string impl = b.impl;
  std::replace(impl.begin(), impl.end(), '"', '\'');
  std::printf(
      "{\"name\": \"%s\", \"impl\": \"%s\", \"threads\": \"%s\", \"iters\": %d, "
      "\"steps\": %zu, \"p50_ms\": %.6f, \"p90_ms\": %.6f, \"min_ms\": %.6f, \"mean_ms\": %.6f}\n",
      name.c_str(), impl.c_str(), threads ? threads : "", iters, b.steps.size(), percentile(ms, 50),
      percentile(ms, 90), ms.front(), mean);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char **argv) {
  int iters = 100, warmup = 10;
  Context ctx;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--iters" || a == "--warmup") && i + 1 < argc)
      (a == "--iters" ? iters : warmup) = std::atoi(argv[++i]);
    else if (a == "--plain")
      ctx.plain = true;
    else {
      std::fprintf(stderr, "usage: %s [--iters N] [--warmup N] [--plain] < shapes\n", argv[0]);
      return 2;
    }
  }
  if (iters < 1) iters = 1;
  int status = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string name, kind;
    if (!(in >> name >> kind)) continue;
    auto fields = kFields.find(kind);
    std::map<std::string, long> dims;
    bool ok = fields != kFields.end();
    for (size_t f = 0; ok && f < fields->second.size(); ++f)
      ok = bool(in >> dims[fields->second[f]]);
    if (!ok) {
      std::fprintf(stderr, "dnnl_ops: error: malformed line '%s'\n", line.c_str());
      status = 1;
      continue;
    }
    try {
      Bench b = make(ctx, kind, dims);
      run(ctx, name, b, iters, warmup);
    } catch (const dnnl::error &e) {
      std::fprintf(stderr, "dnnl_ops: error: %s: %s (status %d)\n", name.c_str(), e.what(),
                   int(e.status));
      status = 1;
    }
  }
  return status;
}
