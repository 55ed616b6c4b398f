#include "qneuro/eeg/synth.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/core/strings.hpp"

namespace qneuro::eeg {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// The 64 channels of the PhysioNet EEG Motor Movement/Imagery recordings, in file order.
constexpr std::array<const char*, 64> kMontage64 = {
    "FC5", "FC3", "FC1", "FCz", "FC2", "FC4", "FC6", "C5",  "C3",  "C1",  "Cz",  "C2",  "C4",
    "C6",  "CP5", "CP3", "CP1", "CPz", "CP2", "CP4", "CP6", "Fp1", "Fpz", "Fp2", "AF7", "AF3",
    "AFz", "AF4", "AF8", "F7",  "F5",  "F3",  "F1",  "Fz",  "F2",  "F4",  "F6",  "F8",  "FT7",
    "FT8", "T7",  "T8",  "T9",  "T10", "TP7", "TP8", "P7",  "P5",  "P3",  "P1",  "Pz",  "P2",
    "P4",  "P6",  "P8",  "PO7", "PO3", "POz", "PO4", "PO8", "O1",  "Oz",  "O2",  "Iz"};

struct Position {
  double x = 0.0;  // lateral, left -1 .. right +1
  double y = 0.0;  // posterior -1 .. anterior +1
};

// Approximate 10-10 position from a label: the letter prefix gives the coronal row, the number
// the lateral offset (odd left, even right, z midline, larger = more lateral).
Position position_of(const std::string& label) {
  std::string prefix;
  std::size_t i = 0;
  while (i < label.size() && std::isalpha(static_cast<unsigned char>(label[i])) &&
         label[i] != 'z') {
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(label[i])));
    ++i;
  }
  static const std::array<std::pair<const char*, double>, 11> rows = {{{"FP", 0.95},
                                                                       {"AF", 0.75},
                                                                       {"F", 0.55},
                                                                       {"FT", 0.3},
                                                                       {"FC", 0.3},
                                                                       {"T", 0.0},
                                                                       {"C", 0.0},
                                                                       {"TP", -0.3},
                                                                       {"CP", -0.3},
                                                                       {"P", -0.55},
                                                                       {"PO", -0.75}}};
  Position p;
  p.y = prefix == "O" ? -0.95 : prefix == "I" ? -1.0 : 0.0;
  for (const auto& [name, y] : rows) {
    if (prefix == name) p.y = y;
  }
  const std::string rest = label.substr(i);
  if (!rest.empty() && rest != "z") {
    const int num = std::atoi(rest.c_str());
    const double lateral = std::min(1.0, 0.2 * ((num + 1) / 2));
    p.x = (num % 2 == 1) ? -lateral : lateral;
  }
  return p;
}

// Unit-variance Gaussian noise with a 1/f^exponent power spectrum above 1 Hz.
std::vector<double> pink_noise(const rng::Philox& gen, uint64_t entity, std::size_t n, double fs,
                               double exponent, const fft::ComplexFft& fft) {
  fft::Buffer<std::complex<double>> x(n), spec(n);
  for (std::size_t t = 0; t < n; ++t) x[t] = gen.normal_pair(t, entity).first;
  fft.forward(x, spec);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t kk = std::min(k, n - k);  // mirror: negative frequencies
    const double f = static_cast<double>(kk) * fs / static_cast<double>(n);
    spec[k] *= k == 0 ? 0.0 : std::pow(std::max(f, 1.0), -exponent / 2.0);
  }
  fft.inverse(spec, x);
  std::vector<double> out(n);
  double var = 0.0;
  for (std::size_t t = 0; t < n; ++t) {
    out[t] = x[t].real();
    var += out[t] * out[t];
  }
  const double scale = var > 0 ? 1.0 / std::sqrt(var / static_cast<double>(n)) : 0.0;
  for (double& v : out) v *= scale;
  return out;
}

}  // namespace

io::Recording synthesize_eeg(const SynthParams& p) {
  using strings::format_number;
  if (p.channels == 0) throw InputError("synth: channels must be at least 1");
  if (!(p.fs_hz > 0) || !(p.duration_s > 0)) {
    throw InputError("synth: fs and duration must be positive, got fs = " + format_number(p.fs_hz) +
                     " Hz, duration = " + format_number(p.duration_s) + " s");
  }
  for (double f : {p.alpha_hz, p.beta_hz, p.theta_hz}) {
    if (!(f > 0) || f >= p.fs_hz / 2) {
      throw InputError("synth: rhythm at " + format_number(f) +
                       " Hz must lie in (0, fs/2 = " + format_number(p.fs_hz / 2) + ") Hz");
    }
  }
  const auto n = static_cast<std::size_t>(std::llround(p.duration_s * p.fs_hz));
  if (n < 4) throw InputError("synth: duration x fs gives fewer than 4 samples");

  io::Recording rec;
  rec.source = "synthetic";
  rec.format = "synthetic";
  rec.sfreq_hz = p.fs_hz;
  std::vector<Position> pos(p.channels);
  for (std::size_t c = 0; c < p.channels; ++c) {
    if (p.channels <= kMontage64.size()) {
      rec.channels.emplace_back(kMontage64[c]);
      pos[c] = position_of(rec.channels.back());
    } else {
      char name[32];
      std::snprintf(name, sizeof name, "E%03zu", c + 1);
      rec.channels.emplace_back(name);
      // Sunflower layout over the unit disc.
      const double r = std::sqrt((static_cast<double>(c) + 0.5) / static_cast<double>(p.channels));
      const double a = static_cast<double>(c) * 2.399963229728653;  // golden angle
      pos[c] = {r * std::cos(a), r * std::sin(a)};
    }
  }
  rec.data.assign(p.channels, std::vector<double>(n));

  const rng::Philox noise(p.seed, rng::Stream::SynthNoise);
  const rng::Philox phases(p.seed, rng::Stream::SynthSignal);
  const fft::ComplexFft fft(n);
  const std::vector<double> common =
      pink_noise(noise, p.channels, n, p.fs_hz, p.aperiodic_exponent, fft);
  const double half = 0.5 * p.duration_s;
  const double wm = std::sqrt(p.common_fraction), wp = std::sqrt(1.0 - p.common_fraction);
  // Individual alpha frequency: one per recording (per seed), shared by every channel so the
  // travelling wave keeps fixed phase lags.
  const double alpha_detune = 0.4 * (phases.uniform_pair(2, p.channels).first - 0.5);

#pragma omp parallel for schedule(dynamic, 1)
  for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(p.channels); ++ci) {
    const auto c = static_cast<std::size_t>(ci);
    const std::vector<double> own = pink_noise(noise, c, n, p.fs_hz, p.aperiodic_exponent, fft);
    const auto [u1, u2] = phases.uniform_pair(0, c);
    const double u3 = phases.uniform_pair(1, c).first;
    const double w_alpha = 1.0 / (1.0 + std::exp(6.0 * (pos[c].y + 0.3)));  // posterior
    const double w_beta = std::exp(-4.0 * pos[c].y * pos[c].y);             // central strip
    const double w_theta =
        std::exp(-3.0 * (pos[c].x * pos[c].x + (pos[c].y - 0.4) * (pos[c].y - 0.4)));
    const double ph_alpha = 1.2 * pos[c].y + 0.3 * (u1 - 0.5);
    const double ph_beta = 1.0 * pos[c].x + 0.3 * (u2 - 0.5);
    const double ph_theta = kTwoPi * u3;
    auto& out = rec.data[c];
    for (std::size_t t = 0; t < n; ++t) {
      const double ts = static_cast<double>(t) / p.fs_hz;
      const double eyes = ts < half ? 1.0 : p.eyes_open_factor;
      const double wax = 1.0 + 0.4 * std::sin(kTwoPi * 0.1 * ts);
      out[t] = p.background_uv * (wp * own[t] + wm * common[t]) +
               p.alpha_uv * eyes * wax * w_alpha *
                   std::sin(kTwoPi * (p.alpha_hz + alpha_detune) * ts + ph_alpha) +
               p.beta_uv * w_beta * std::sin(kTwoPi * p.beta_hz * ts + ph_beta) +
               p.theta_uv * w_theta * std::sin(kTwoPi * p.theta_hz * ts + ph_theta);
    }
  }
  rec.annotations.push_back({0.0, half, "eyes closed"});
  rec.annotations.push_back({half, p.duration_s - half, "eyes open"});
  return rec;
}

}  // namespace qneuro::eeg
