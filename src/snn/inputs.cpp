#include "qneuro/snn/inputs.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::snn {

namespace {

uint64_t entity(std::size_t b, std::size_t n) {
  return (static_cast<uint64_t>(b) << 32) | static_cast<uint64_t>(n);
}

InputArray make(std::size_t T, std::size_t B, std::size_t N) {
  InputArray a;
  a.T = T;
  a.B = B;
  a.N = N;
  a.values.assign(T * B * N, 0.0f);
  return a;
}

InputArray poisson_input(const InputSpec& s, std::size_t T, std::size_t B, std::size_t N,
                         double dt_ms, uint32_t seed) {
  InputArray a = make(T, B, N);
  const auto K = static_cast<std::size_t>(s.sources);
  // Weights w[n][k] ~ N(mean, std^2) / sqrt(K), two normals per Philox call.
  std::vector<float> w(N * K);
  const rng::Philox wgen(seed, rng::Stream::SnnInputWeights);
  const double scale = 1.0 / std::sqrt(static_cast<double>(K));
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t k = 0; k < K; k += 2) {
      const auto [g0, g1] = wgen.normal_pair(k / 2, n);
      w[n * K + k] = static_cast<float>((s.weight_mean + s.weight_std * g0) * scale);
      if (k + 1 < K)
        w[n * K + k + 1] = static_cast<float>((s.weight_mean + s.weight_std * g1) * scale);
    }
  }
  // Source spikes x[b][k](t): shared by the neurons of batch row b, four sources per call.
  const double p = std::min(1.0, s.rate_hz * dt_ms * 1e-3);
  const rng::Philox sgen(seed, rng::Stream::SnnInput);
  std::vector<float> x(K);
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t b = 0; b < B; ++b) {
      for (std::size_t k = 0; k < K; k += 4) {
        const rng::Words words = sgen.words(t, entity(b, (1u << 31) + k / 4));
        for (std::size_t j = 0; j < 4 && k + j < K; ++j) {
          x[k + j] = static_cast<double>(rng::Philox::uniform01f(words[j])) < p ? 1.0f : 0.0f;
        }
      }
      float* row = a.values.data() + (t * B + b) * N;
#pragma omp parallel for schedule(static)
      for (long long n = 0; n < static_cast<long long>(N); ++n) {
        float acc = static_cast<float>(s.level);
        const float* wn = w.data() + static_cast<std::size_t>(n) * K;
        for (std::size_t k = 0; k < K; ++k) acc += wn[k] * x[k];
        row[n] = acc;
      }
    }
  }
  return a;
}

}  // namespace

InputArray generate_input(const InputSpec& s, std::size_t T, std::size_t B, std::size_t N,
                          double dt_ms, uint32_t seed) {
  const auto level = static_cast<float>(s.level);
  const auto amp = static_cast<float>(s.amplitude);
  if (s.kind == InputKind::Constant) {
    InputArray a = make(T, B, N);
    std::fill(a.values.begin(), a.values.end(), level);
    return a;
  }
  if (s.kind == InputKind::Noise) {
    InputArray a = make(T, B, N);
    const rng::Philox gen(seed, rng::Stream::SnnInput);
#pragma omp parallel for schedule(static)
    for (long long tb = 0; tb < static_cast<long long>(T * B); ++tb) {
      const std::size_t t = static_cast<std::size_t>(tb) / B, b = static_cast<std::size_t>(tb) % B;
      float* row = a.values.data() + static_cast<std::size_t>(tb) * N;
      for (std::size_t n = 0; n < N; n += 2) {
        const auto [g0, g1] = gen.normal_pair(t, entity(b, n / 2));
        row[n] = level + amp * static_cast<float>(g0);
        if (n + 1 < N) row[n + 1] = level + amp * static_cast<float>(g1);
      }
    }
    return a;
  }
  if (s.kind == InputKind::Ramp) {
    InputArray a = make(T, B, N);
    const double t0 = static_cast<double>(T) / 4.0, t1 = 3.0 * static_cast<double>(T) / 4.0;
    for (std::size_t t = 0; t < T; ++t) {
      const double tt = static_cast<double>(t);
      const double v = tt < t0 || tt >= t1 ? 0.0 : (s.level + s.amplitude) * (tt - t0) / (t1 - t0);
      std::fill_n(a.values.begin() + static_cast<std::ptrdiff_t>(t * B * N), B * N,
                  static_cast<float>(v));
    }
    return a;
  }
  if (s.kind == InputKind::Sine) {
    InputArray a = make(T, B, N);
    for (std::size_t t = 0; t < T; ++t) {
      const double v = s.level + s.amplitude * std::sin(2.0 * std::numbers::pi * s.freq_hz *
                                                        static_cast<double>(t) * dt_ms * 1e-3);
      std::fill_n(a.values.begin() + static_cast<std::ptrdiff_t>(t * B * N), B * N,
                  static_cast<float>(v));
    }
    return a;
  }
  if (s.kind == InputKind::Poisson) return poisson_input(s, T, B, N, dt_ms, seed);
  throw InputError(
      "input.kind: '" + to_string(s.kind) +
      "' is not a generated input (constant, noise, ramp, sine, poisson; file is read)");
}

namespace {

InputArray shaped(std::vector<float> values, const std::vector<uint64_t>& shape,
                  const std::string& path) {
  InputArray a;
  if (shape.size() == 3) {
    a.T = shape[0];
    a.B = shape[1];
    a.N = shape[2];
  } else if (shape.size() == 2) {
    a.T = shape[0];
    a.B = 1;
    a.N = shape[1];
  } else {
    throw InputError("input.path: " + path + " holds an array of rank " +
                     std::to_string(shape.size()) + "; expected [T, B, N] or [T, N]");
  }
  if (a.T == 0 || a.B == 0 || a.N == 0) {
    throw InputError("input.path: " + path + " holds an empty array");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError("input.path: " + path + " has a non-finite value at flat index " +
                       std::to_string(i));
    }
  }
  a.values.assign(values.begin(), values.end());  // into huge pages (one copy; reading cost more)
  return a;
}

InputArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("input.path: cannot open " + path);
  char magic[8] = {};
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw InputError("input.path: " + path + " is not a .npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char h[2];
    in.read(reinterpret_cast<char*>(h), 2);
    header_len = h[0] | (h[1] << 8);
  } else {
    unsigned char h[4];
    in.read(reinterpret_cast<char*>(h), 4);
    header_len = h[0] | (h[1] << 8) | (h[2] << 16) | (static_cast<uint32_t>(h[3]) << 24);
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) throw InputError("input.path: " + path + " is truncated in its header");
  auto field = [&](const std::string& key) {
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos) {
      throw InputError("input.path: " + path + " header lacks '" + key + "'");
    }
    return header.substr(header.find(':', at) + 1);
  };
  const std::string descr = field("descr");
  const bool f4 = descr.find("<f4") != std::string::npos;
  const bool f8 = descr.find("<f8") != std::string::npos;
  if (!f4 && !f8) {
    throw InputError("input.path: " + path + " has dtype " + strings::trim(descr.substr(0, 8)) +
                     "; expected little-endian float32 or float64");
  }
  if (field("fortran_order").find("True") < field("fortran_order").find(',')) {
    throw InputError("input.path: " + path + " is in Fortran order; save it in C order");
  }
  const std::string shape_text = field("shape");
  const auto open = shape_text.find('('), close = shape_text.find(')');
  std::vector<uint64_t> shape;
  for (const std::string& part :
       strings::split(shape_text.substr(open + 1, close - open - 1), ',')) {
    const std::string t = strings::trim(part);
    if (!t.empty()) shape.push_back(std::stoull(t));
  }
  uint64_t count = 1;
  for (const uint64_t d : shape) count *= d;
  std::vector<float> values(count);
  if (f4) {
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * 4));
  } else {
    std::vector<double> d(count);
    in.read(reinterpret_cast<char*>(d.data()), static_cast<std::streamsize>(count * 8));
    for (uint64_t i = 0; i < count; ++i) values[i] = static_cast<float>(d[i]);
  }
  if (!in) {
    throw InputError("input.path: " + path + " is truncated: the header promises " +
                     std::to_string(count) + " values");
  }
  return shaped(std::move(values), shape, path);
}

}  // namespace

InputArray read_input_array(const std::string& spec) {
  std::string path = spec, dataset;
  const auto colon = spec.find(".h5:");
  if (colon != std::string::npos) {
    path = spec.substr(0, colon + 3);
    dataset = spec.substr(colon + 4);
  }
  if (!std::filesystem::exists(path)) throw InputError("input.path: " + path + " does not exist");
  if (path.ends_with(".npy")) return read_npy(path);
  const io::H5File f = io::H5File::open_read(path);
  std::vector<std::string> names = dataset.empty() ? std::vector<std::string>{"input", "data"}
                                                   : std::vector<std::string>{dataset};
  for (const std::string& name : names) {
    try {
      io::H5Array<float> arr = f.read_float(name);
      return shaped(std::move(arr.data), arr.shape, spec);
    } catch (const InputError&) {
      if (!dataset.empty()) throw;
    }
  }
  throw InputError("input.path: " + path +
                   " has no dataset 'input' or 'data'; name one as FILE.h5:/dataset");
}

}  // namespace qneuro::snn
