#include "qneuro/snn/torch/classifier.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro::snn {

namespace {

constexpr uint64_t kEvalEpisode = 0xFFFFFFFFu;

QLIFOptions layer_options(const TrainParams& p, int64_t n, uint32_t layer) {
  return QLIFOptions(n)
      .params(p.neuron)
      .learnable_threshold(p.learn_threshold)
      .learnable_tau(p.learn_tau)
      .learnable_eta(p.learn_eta)
      .learnable_qscale(p.learn_qscale)
      .learnable_qbias(p.learn_qbias)
      .seed(p.seed)
      .layer(layer);
}

}  // namespace

SpikingClassifierImpl::SpikingClassifierImpl(const TrainParams& p, int64_t features,
                                             int64_t classes)
    : p_(p) {
  const auto H = static_cast<int64_t>(p.hidden);
  fc1 = register_module("fc1", torch::nn::Linear(features, H));
  fc2 = register_module("fc2", torch::nn::Linear(H, classes));
  const int n_qlif = p.readout == Readout::Counts ? 2 : 1;
  for (int i = 0; i < n_qlif; ++i) {
    const int64_t n = i == 0 ? H : classes;
    const std::string name = i == 0 ? "hidden" : "output";
    if (p.layer == LayerKind::Oracle) {
      oracle_.push_back(register_module(name, QLIFOracle(layer_options(p, n, i))));
    } else {
      fused_.push_back(register_module(name, QLIFLayer(layer_options(p, n, i))));
    }
  }
  if (p.readout == Readout::Membrane) {
    const auto T = static_cast<int64_t>(p.steps);
    const double beta = std::exp(-1.0 / p.readout_tau);
    std::vector<float> w(static_cast<std::size_t>(T));
    for (int64_t s = 0; s < T; ++s) {
      double acc = 0;
      for (int64_t t = s; t < T; ++t) acc += std::pow(beta, static_cast<double>(t - s));
      w[static_cast<std::size_t>(s)] =
          static_cast<float>(acc * (1.0 - beta) / static_cast<double>(T));
    }
    readout_weights_ = register_buffer("readout_weights", torch::tensor(w));
  }
}

torch::Tensor rate_encode(const torch::Tensor& x, const std::vector<int64_t>& ids, uint64_t episode,
                          uint32_t seed, double gain, int64_t T) {
  if (x.dim() != 2 || x.scalar_type() != torch::kFloat || !x.device().is_cpu()) {
    throw InputError("rate_encode: x must be a float32 CPU tensor (B, F)");
  }
  const int64_t B = x.size(0), F = x.size(1);
  if (static_cast<int64_t>(ids.size()) != B) {
    throw InputError("rate_encode: " + std::to_string(ids.size()) + " sample ids for a batch of " +
                     std::to_string(B));
  }
  if (T < 1) throw InputError("rate_encode: steps must be >= 1");
  const torch::Tensor xc = x.contiguous();
  const float* px = xc.data_ptr<float>();
  torch::Tensor out = torch::zeros({T, B, F});
  float* po = out.data_ptr<float>();
  const rng::Philox philox(seed, rng::Stream::SnnEncoder);
  const auto g = static_cast<float>(gain);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < B * F; ++i) {
    const int64_t b = i / F, f = i % F;
    const float prob = std::min(1.0f, g * px[i]);
    const uint64_t entity =
        (static_cast<uint64_t>(ids[static_cast<std::size_t>(b)]) << 20) | static_cast<uint64_t>(f);
    for (int64_t k = 0; k * 4 < T; ++k) {
      const rng::Words w = philox.words((episode << 32) | static_cast<uint64_t>(k), entity);
      for (int64_t q = 0; q < 4 && k * 4 + q < T; ++q) {
        const float u = static_cast<float>(w[static_cast<std::size_t>(q)] >> 8) * 0x1.0p-24f;
        if (u < prob) po[(k * 4 + q) * B * F + i] = 1.0f;
      }
    }
  }
  return out;
}

torch::Tensor latency_encode(const torch::Tensor& x, int64_t T) {
  const int64_t B = x.size(0), F = x.size(1);
  const torch::Tensor xc = x.contiguous();
  const float* px = xc.data_ptr<float>();
  torch::Tensor out = torch::zeros({T, B, F});
  float* po = out.data_ptr<float>();
  for (int64_t i = 0; i < B * F; ++i) {
    if (px[i] <= 0.05f) continue;
    const auto t = static_cast<int64_t>(
        std::lround((1.0 - static_cast<double>(px[i])) * static_cast<double>(T - 1)));
    po[t * B * F + i] = 1.0f;
  }
  return out;
}

torch::Tensor SpikingClassifierImpl::encode(const torch::Tensor& x, const std::vector<int64_t>& ids,
                                            uint64_t episode) const {
  const auto T = static_cast<int64_t>(p_.steps);
  if (p_.encoding == Encoding::Latency) return latency_encode(x, T);
  return rate_encode(x, ids, episode, p_.seed, p_.rate_gain, T);
}

QLIFOutput SpikingClassifierImpl::qlif(int i, const torch::Tensor& input) {
  if (!fused_.empty()) {
    fused_[static_cast<std::size_t>(i)]->reset();
    return fused_[static_cast<std::size_t>(i)]->forward(input);
  }
  oracle_[static_cast<std::size_t>(i)]->reset();
  return oracle_[static_cast<std::size_t>(i)]->forward(input);
}

torch::Tensor SpikingClassifierImpl::forward(const torch::Tensor& x,
                                             const std::vector<int64_t>& ids, uint64_t episode) {
  const torch::Tensor spikes_in = encode(x, ids, episode);
  const QLIFOutput h = qlif(0, fc1->forward(spikes_in));
  const torch::Tensor out_current = fc2->forward(h.spikes);
  if (p_.readout == Readout::Counts) return qlif(1, out_current).spikes.sum(0);
  return torch::tensordot(readout_weights_, out_current, {0}, {0});
}

namespace {

torch::Tensor gather_rows(const Dataset& d, const std::vector<int64_t>& ids) {
  const auto F = static_cast<int64_t>(d.features);
  torch::Tensor x = torch::empty({static_cast<int64_t>(ids.size()), F});
  float* px = x.data_ptr<float>();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::copy_n(d.x.data() + static_cast<std::size_t>(ids[i]) * d.features, d.features,
                px + i * d.features);
  }
  return x;
}

torch::Tensor gather_labels(const Dataset& d, const std::vector<int64_t>& ids) {
  torch::Tensor y = torch::empty({static_cast<int64_t>(ids.size())}, torch::kLong);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    y[static_cast<int64_t>(i)] = d.y[static_cast<std::size_t>(ids[i])];
  }
  return y;
}

}  // namespace

double evaluate(SpikingClassifier& model, const TrainParams& p, const Dataset& d) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::size_t correct = 0;
  const std::size_t chunk = std::max<std::size_t>(p.batch, 256);
  for (std::size_t start = 0; start < d.size(); start += chunk) {
    std::vector<int64_t> ids(std::min(chunk, d.size() - start));
    std::iota(ids.begin(), ids.end(), static_cast<int64_t>(start));
    const torch::Tensor logits = model->forward(gather_rows(d, ids), ids, kEvalEpisode);
    correct +=
        static_cast<std::size_t>((logits.argmax(1) == gather_labels(d, ids)).sum().item<int64_t>());
  }
  model->train();
  return static_cast<double>(correct) / static_cast<double>(std::max<std::size_t>(d.size(), 1));
}

TrainResult train_classifier(SpikingClassifier& model, const TrainParams& p,
                             const DatasetSplit& data, ClassifierObserver* observer) {
  const Dataset& tr = data.train;
  torch::optim::Adam opt(model->parameters(),
                         torch::optim::AdamOptions(p.lr).weight_decay(p.weight_decay));
  TrainResult result;
  const std::size_t per_epoch = (tr.size() + p.batch - 1) / p.batch;
  const std::size_t total = per_epoch * p.epochs;
  const auto t_start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  model->train();
  for (std::size_t epoch = 0; epoch < p.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    if (p.schedule == LrSchedule::Cosine) {
      // lr_e = lr (1 + cos(pi e / E)) / 2: the full rate first, a small one in the last epochs
      const double lr = p.lr * 0.5 *
                        (1.0 + std::cos(std::numbers::pi * static_cast<double>(epoch) /
                                        static_cast<double>(p.epochs)));
      for (auto& group : opt.param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      }
    }
    std::vector<int64_t> order(tr.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    std::mt19937_64 shuffle_rng((static_cast<uint64_t>(p.seed) << 32) | epoch);
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    double loss_sum = 0;
    std::size_t correct = 0, seen = 0;
    for (std::size_t start = 0; start < order.size(); start += p.batch) {
      const std::vector<int64_t> ids(
          order.begin() + static_cast<std::ptrdiff_t>(start),
          order.begin() + static_cast<std::ptrdiff_t>(std::min(start + p.batch, order.size())));
      const torch::Tensor y = gather_labels(tr, ids);
      const torch::Tensor logits = model->forward(gather_rows(tr, ids), ids, epoch);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      const double l = loss.item<double>();
      if (!std::isfinite(l)) {
        throw RuntimeError("training diverged: loss is " + std::to_string(l) + " in epoch " +
                           std::to_string(epoch + 1) + "; lower train.lr");
      }
      result.batch_loss.push_back(l);
      loss_sum += l * static_cast<double>(ids.size());
      correct += static_cast<std::size_t>((logits.argmax(1) == y).sum().item<int64_t>());
      seen += ids.size();
      ++done;
      if (observer != nullptr) {
        const std::string detail =
            fmt::format("loss {:.3f} acc {:.1f}%", loss_sum / static_cast<double>(seen),
                        100.0 * static_cast<double>(correct) / static_cast<double>(seen));
        observer->on_progress({done, total, "batches", detail});
      }
    }
    const double train_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EpochRecord rec;
    rec.epoch = epoch + 1;
    rec.loss = loss_sum / static_cast<double>(seen);
    rec.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    rec.samples_per_s = static_cast<double>(seen) / train_s;
    rec.test_accuracy = evaluate(model, p, data.test);
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.epochs.push_back(rec);
    if (observer != nullptr) {
      observer->on_epoch(rec);
      if (epoch + 1 < p.epochs && observer->stop_requested()) {
        result.interrupted = true;
        break;
      }
    }
  }
  result.test_accuracy = result.epochs.empty() ? 0.0 : result.epochs.back().test_accuracy;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return result;
}

}  // namespace qneuro::snn
