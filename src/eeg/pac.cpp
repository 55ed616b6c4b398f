#include "qneuro/eeg/pac.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/analytic.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::eeg {

namespace {

using strings::format_number;

std::vector<Band> grid(const std::vector<double>& centers, double width, const char* key,
                       double nyquist) {
  if (centers.empty()) throw InputError(std::string(key) + " is empty: give at least one centre");
  std::vector<Band> bands;
  for (const double c : centers) {
    Band b{format_number(c), c - width / 2, c + width / 2};
    if (!(b.lo >= 0.0) || b.hi > nyquist) {
      throw InputError(std::string(key) + ": the band [" + format_number(b.lo) + ", " +
                       format_number(b.hi) + ") Hz around " + format_number(c) +
                       " Hz does not lie within [0, fs/2 = " + format_number(nyquist) + "] Hz");
    }
    bands.push_back(b);
  }
  return bands;
}

/// MI and MVL of amplitude `amp` shifted by s against the phase (bins, cos, sin of phi).
struct Coupling {
  double mi = 0.0, mvl = 0.0;
};

Coupling coupling(const std::vector<uint16_t>& bin, const std::vector<double>& cos_phi,
                  const std::vector<double>& sin_phi, const std::vector<double>& counts,
                  const double* amp, std::size_t N, std::size_t s, std::size_t K,
                  std::vector<double>& sums) {
  std::fill(sums.begin(), sums.end(), 0.0);
  double re = 0.0, im = 0.0;
  // A((t + s) mod N), in two runs so that the inner loops need no modulo.
  const std::size_t first = N - s;
  for (std::size_t t = 0; t < first; ++t) {
    const double a = amp[t + s];
    sums[bin[t]] += a;
    re += a * cos_phi[t];
    im += a * sin_phi[t];
  }
  for (std::size_t t = first; t < N; ++t) {
    const double a = amp[t + s - N];
    sums[bin[t]] += a;
    re += a * cos_phi[t];
    im += a * sin_phi[t];
  }
  double total = 0.0;
  for (std::size_t j = 0; j < K; ++j) {
    sums[j] = counts[j] > 0 ? sums[j] / counts[j] : 0.0;
    total += sums[j];
  }
  double h = 0.0;
  for (std::size_t j = 0; j < K; ++j) {
    const double p = total > 0 ? sums[j] / total : 0.0;
    if (p > 0) h -= p * std::log(p);
  }
  const double log_k = std::log(static_cast<double>(K));
  return {(log_k - h) / log_k, std::hypot(re, im) / static_cast<double>(N)};
}

}  // namespace

PacResult phase_amplitude_coupling(const io::Recording& rec, const PacParams& params) {
  const double fs = rec.sfreq_hz, nyquist = fs / 2;
  PacResult r;
  r.params = params;
  if (params.bins < 2 || params.bins > 1000) {
    throw InputError("pac.bins = " + std::to_string(params.bins) + " must lie in [2, 1000]");
  }
  r.phase_bands =
      grid(params.phase_centers_hz, params.phase_width_hz, "pac.phase_centers_hz", nyquist);
  double amp_width = params.amp_width_hz;
  if (amp_width == 0.0) {
    amp_width =
        2.0 * (*std::max_element(params.phase_centers_hz.begin(), params.phase_centers_hz.end()) +
               params.phase_width_hz / 2);
  }
  r.params.amp_width_hz = amp_width;
  r.amp_bands = grid(params.amp_centers_hz, amp_width, "pac.amp_centers_hz", nyquist);

  std::vector<std::size_t> picked;
  if (params.channels.empty()) {
    for (std::size_t c = 0; c < rec.n_channels(); ++c) picked.push_back(c);
  } else {
    io::ChannelSelection sel;
    sel.names = params.channels;
    try {
      picked = io::select_channels(rec.channels, sel, rec.source);
    } catch (const InputError& e) {
      throw InputError(std::string("pac.channels: ") + e.what());
    }
  }
  std::vector<std::vector<double>> data;
  for (const std::size_t c : picked) {
    r.channels.push_back(rec.channels[c]);
    data.push_back(rec.data[c]);
  }
  const std::size_t n = rec.n_samples();
  const auto e = static_cast<std::size_t>(std::llround(std::max(0.0, params.edge_s) * fs));
  const auto m = static_cast<std::size_t>(std::llround(std::max(0.0, params.min_shift_s) * fs));
  if (2 * e >= n || n - 2 * e <= 2 * m + 1) {
    throw InputError("pac.edge_s = " + format_number(params.edge_s) + " s and pac.min_shift_s = " +
                     format_number(params.min_shift_s) + " s leave no room for shifted " +
                     "surrogates in " + std::to_string(n) + " samples; lower them");
  }
  const std::size_t N = n - 2 * e;
  r.edge_samples = e;
  r.used_samples = N;
  const rng::Philox philox(params.seed, rng::Stream::EegPacSurrogates);
  const std::size_t S = params.surrogates;
  for (std::size_t k = 0; k < S; ++k) {
    const double u = philox.uniform_pair(k, 0).first;
    r.shifts.push_back(static_cast<int64_t>(
        m + static_cast<std::size_t>(std::floor(u * static_cast<double>(N - 2 * m)))));
  }

  const std::size_t C = data.size(), P = r.phase_bands.size(), A = r.amp_bands.size();
  const std::size_t K = params.bins;
  for (auto* v : {&r.mi, &r.mi_surrogate_mean, &r.mi_surrogate_sd, &r.mi_z, &r.mi_p, &r.mvl,
                  &r.mvl_surrogate_mean, &r.mvl_surrogate_sd, &r.mvl_z, &r.mvl_p}) {
    v->assign(C * P * A, 0.0);
  }
  const AnalyticSignals analytic(data, fs);
  // Amplitude envelopes of every channel and amplitude band: [C][A][N].
  std::vector<double> amps(C * A * N);
#pragma omp parallel
  {
    AnalyticSignals::Scratch scratch(n);
#pragma omp for schedule(dynamic, 1) collapse(2)
    for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(C); ++c) {
      for (std::ptrdiff_t a = 0; a < static_cast<std::ptrdiff_t>(A); ++a) {
        const Band& b = r.amp_bands[static_cast<std::size_t>(a)];
        analytic.band(static_cast<std::size_t>(c), b.lo, b.hi, scratch);
        double* out =
            amps.data() + (static_cast<std::size_t>(c) * A + static_cast<std::size_t>(a)) * N;
        for (std::size_t t = 0; t < N; ++t) out[t] = std::abs(scratch.signal[e + t]);
      }
    }
  }
  const double two_pi = 2 * std::numbers::pi;
#pragma omp parallel
  {
    AnalyticSignals::Scratch scratch(n);
    std::vector<uint16_t> bin(N);
    std::vector<double> cos_phi(N), sin_phi(N), counts(K), sums(K), mi_s(S), mvl_s(S);
#pragma omp for schedule(dynamic, 1) collapse(2)
    for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(C); ++ci) {
      for (std::ptrdiff_t pi = 0; pi < static_cast<std::ptrdiff_t>(P); ++pi) {
        const auto c = static_cast<std::size_t>(ci);
        const auto p = static_cast<std::size_t>(pi);
        analytic.band(c, r.phase_bands[p].lo, r.phase_bands[p].hi, scratch);
        std::fill(counts.begin(), counts.end(), 0.0);
        for (std::size_t t = 0; t < N; ++t) {
          const std::complex<double> z = scratch.signal[e + t];
          const double phi = std::atan2(z.imag(), z.real());
          auto j = static_cast<std::size_t>(
              std::floor((phi + std::numbers::pi) * static_cast<double>(K) / two_pi));
          j = std::min(j, K - 1);
          bin[t] = static_cast<uint16_t>(j);
          counts[j] += 1.0;
          const double mag = std::abs(z);
          cos_phi[t] = mag > 0 ? z.real() / mag : 1.0;
          sin_phi[t] = mag > 0 ? z.imag() / mag : 0.0;
        }
        for (std::size_t a = 0; a < A; ++a) {
          const double* amp = amps.data() + (c * A + a) * N;
          const Coupling obs = coupling(bin, cos_phi, sin_phi, counts, amp, N, 0, K, sums);
          for (std::size_t k = 0; k < S; ++k) {
            const Coupling sur = coupling(bin, cos_phi, sin_phi, counts, amp, N,
                                          static_cast<std::size_t>(r.shifts[k]), K, sums);
            mi_s[k] = sur.mi;
            mvl_s[k] = sur.mvl;
          }
          auto stats = [&](const std::vector<double>& v, double value, double& mean, double& sd,
                           double& z, double& pv) {
            mean = sd = z = 0.0;
            pv = 1.0;
            if (S == 0) return;
            double sum = 0.0;
            std::size_t above = 0;
            for (const double x : v) {
              sum += x;
              above += x >= value ? 1 : 0;
            }
            mean = sum / static_cast<double>(S);
            double ss = 0.0;
            for (const double x : v) ss += (x - mean) * (x - mean);
            sd = S > 1 ? std::sqrt(ss / static_cast<double>(S - 1)) : 0.0;
            z = sd > 0 ? (value - mean) / sd : 0.0;
            pv = static_cast<double>(1 + above) / static_cast<double>(S + 1);
          };
          const std::size_t at = (c * P + p) * A + a;
          r.mi[at] = obs.mi;
          r.mvl[at] = obs.mvl;
          stats(mi_s, obs.mi, r.mi_surrogate_mean[at], r.mi_surrogate_sd[at], r.mi_z[at],
                r.mi_p[at]);
          stats(mvl_s, obs.mvl, r.mvl_surrogate_mean[at], r.mvl_surrogate_sd[at], r.mvl_z[at],
                r.mvl_p[at]);
        }
      }
    }
  }
  return r;
}

void write_pac_h5(io::H5File& f, const PacResult& r) {
  const std::size_t C = r.channels.size(), P = r.phase_bands.size(), A = r.amp_bands.size();
  f.create_group("pac");
  f.set_attr("pac", "bins", static_cast<int64_t>(r.params.bins));
  f.set_attr("pac", "surrogates", static_cast<int64_t>(r.params.surrogates));
  f.set_attr("pac", "seed", static_cast<int64_t>(r.params.seed));
  f.set_attr("pac", "edge_samples", static_cast<int64_t>(r.edge_samples));
  f.set_attr("pac", "used_samples", static_cast<int64_t>(r.used_samples));
  f.set_attr("pac", "channels", r.channels);
  auto edges = [](const std::vector<Band>& bands) {
    std::vector<double> v;
    for (const auto& b : bands) {
      v.push_back(b.lo);
      v.push_back(b.hi);
    }
    return v;
  };
  const auto pe = edges(r.phase_bands), ae = edges(r.amp_bands);
  f.write("pac/phase_bands_hz", std::span<const double>(pe), {P, 2});
  f.write("pac/amp_bands_hz", std::span<const double>(ae), {A, 2});
  f.write("pac/shifts", std::span<const int64_t>(r.shifts), {r.shifts.size()});
  const std::pair<const char*, const std::vector<double>*> arrays[] = {
      {"mi", &r.mi},
      {"mi_surrogate_mean", &r.mi_surrogate_mean},
      {"mi_surrogate_sd", &r.mi_surrogate_sd},
      {"mi_z", &r.mi_z},
      {"mi_p", &r.mi_p},
      {"mvl", &r.mvl},
      {"mvl_surrogate_mean", &r.mvl_surrogate_mean},
      {"mvl_surrogate_sd", &r.mvl_surrogate_sd},
      {"mvl_z", &r.mvl_z},
      {"mvl_p", &r.mvl_p}};
  for (const auto& [name, v] : arrays) {
    f.write(std::string("pac/") + name, std::span<const double>(*v), {C, P, A});
  }
}

nlohmann::ordered_json pac_json(const PacResult& r) {
  using json = nlohmann::ordered_json;
  const std::size_t P = r.phase_bands.size(), A = r.amp_bands.size();
  auto bands = [](const std::vector<Band>& v) {
    json out = json::array();
    for (const auto& b : v) out.push_back({b.lo, b.hi});
    return out;
  };
  json j;
  j["phase_bands_hz"] = bands(r.phase_bands);
  j["amp_bands_hz"] = bands(r.amp_bands);
  j["bins"] = r.params.bins;
  j["surrogates"] = r.params.surrogates;
  j["seed"] = r.params.seed;
  j["min_shift_s"] = r.params.min_shift_s;
  j["edge_s"] = r.params.edge_s;
  j["used_samples"] = r.used_samples;
  json per = json::object();
  for (std::size_t c = 0; c < r.channels.size(); ++c) {
    auto matrix = [&](const std::vector<double>& v) {
      json rows = json::array();
      for (std::size_t p = 0; p < P; ++p) {
        rows.push_back(
            std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>((c * P + p) * A),
                                v.begin() + static_cast<std::ptrdiff_t>((c * P + p + 1) * A)));
      }
      return rows;
    };
    // The strongest coupling by MI.
    const auto first = r.mi.begin() + static_cast<std::ptrdiff_t>(c * P * A);
    const auto best = static_cast<std::size_t>(
        std::max_element(first, first + static_cast<std::ptrdiff_t>(P * A)) - first);
    per[r.channels[c]] = {{"mi", matrix(r.mi)},
                          {"mi_z", matrix(r.mi_z)},
                          {"mi_p", matrix(r.mi_p)},
                          {"mvl", matrix(r.mvl)},
                          {"mvl_z", matrix(r.mvl_z)},
                          {"mvl_p", matrix(r.mvl_p)},
                          {"strongest",
                           {{"phase_hz", r.params.phase_centers_hz[best / A]},
                            {"amp_hz", r.params.amp_centers_hz[best % A]},
                            {"mi", r.mi[c * P * A + best]},
                            {"mi_z", r.mi_z[c * P * A + best]},
                            {"mi_p", r.mi_p[c * P * A + best]}}}};
  }
  j["channels"] = per;
  j["units"] = {{"mi", "dimensionless (Tort)"}, {"mvl", "uV (Canolty, raw)"}};
  return j;
}

}  // namespace qneuro::eeg
