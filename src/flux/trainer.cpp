#include "qneuro/flux/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro::flux {

using torch::Tensor;

namespace {

/// Characters encoded by the tokens ids[first .. first + n): tokens for `char`, UTF-8 lead
/// bytes for `byte`.
int64_t characters_of(const Tokenizer& tok, const int64_t* ids, int64_t n) {
  if (tok.kind() == TokenizerKind::Char) return n;
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i) c += (ids[i] & 0xC0) != 0x80 ? 1 : 0;
  return c;
}

}  // namespace

EvalResult evaluate(LanguageModel& model, const Tokenizer& tok, const std::vector<int64_t>& ids,
                    int64_t T, int64_t batch, int64_t max_windows) {
  const auto n = static_cast<int64_t>(ids.size());
  if (n < 2)
    throw InputError("evaluation needs at least 2 tokens of text, got " + std::to_string(n));
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  double nats = 0;
  EvalResult r;
  // Window w covers ids[w T .. w T + T] (T inputs, T targets); the last one may be shorter.
  std::vector<std::pair<int64_t, int64_t>> windows;  // (start, inputs)
  for (int64_t s = 0; s + 1 < n; s += T) {
    windows.emplace_back(s, std::min(T, n - 1 - s));
    if (max_windows > 0 && static_cast<int64_t>(windows.size()) >= max_windows) break;
  }
  std::size_t w = 0;
  while (w < windows.size()) {
    // A batch of equal-length windows (the short last window runs alone).
    const int64_t len = windows[w].second;
    std::vector<int64_t> x, y;
    int64_t rows = 0;
    while (w < windows.size() && windows[w].second == len && rows < batch) {
      const int64_t s = windows[w].first;
      x.insert(x.end(), ids.begin() + s, ids.begin() + s + len);
      y.insert(y.end(), ids.begin() + s + 1, ids.begin() + s + 1 + len);
      r.characters += characters_of(tok, ids.data() + s + 1, len);
      ++rows;
      ++w;
    }
    const Tensor xt = torch::tensor(x, torch::kLong).reshape({rows, len});
    const Tensor yt = torch::tensor(y, torch::kLong).reshape({rows, len});
    const ForwardResult f = model.forward(xt);
    nats += torch::nn::functional::cross_entropy(
                f.logits.reshape({-1, model.vocab()}), yt.reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
    r.tokens += rows * len;
  }
  if (was_training) model.train();
  r.nats_per_token = nats / static_cast<double>(r.tokens);
  r.bits_per_char =
      nats / std::numbers::ln2 / static_cast<double>(std::max<int64_t>(1, r.characters));
  return r;
}

Tensor batch_windows(const std::vector<int64_t>& ids, int64_t T, int64_t B, uint32_t seed,
                     int64_t step) {
  const auto n = static_cast<int64_t>(ids.size());
  if (n < T + 1) {
    throw InputError("the training text has " + std::to_string(n) + " tokens; a window needs " +
                     std::to_string(T + 1) + " (lower model.max_seq_length or use more text)");
  }
  const rng::Philox gen(seed, rng::Stream::FluxBatches);
  const auto span = static_cast<uint64_t>(n - T);  // offsets 0 .. n - T - 1
  Tensor out = torch::empty({B, T + 1}, torch::kLong);
  auto* p = out.data_ptr<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    const rng::Words w = gen.words(static_cast<uint64_t>(step), static_cast<uint64_t>(b));
    const uint64_t offset = ((uint64_t{w[0]} << 32) | w[1]) % span;
    std::copy_n(ids.begin() + static_cast<std::ptrdiff_t>(offset), T + 1, p + b * (T + 1));
  }
  return out;
}

Trainer::Trainer(std::shared_ptr<LanguageModel> m, TrainParams p)
    : model(std::move(m)), params(std::move(p)) {
  optimizer = std::make_unique<torch::optim::AdamW>(
      model->parameters(), torch::optim::AdamWOptions(params.lr).weight_decay(params.weight_decay));
}

double Trainer::lr_at(int64_t step) const {
  const TrainParams& p = params;
  if (step < p.warmup) return p.lr * static_cast<double>(step + 1) / static_cast<double>(p.warmup);
  const double span = static_cast<double>(std::max<int64_t>(1, p.steps - p.warmup));
  const double progress = std::min(1.0, static_cast<double>(step - p.warmup) / span);
  const double floor = p.lr * p.lr_final_ratio;
  return floor + (p.lr - floor) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

MetricRow Trainer::step(const std::vector<int64_t>& train_ids) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t T = model->params().max_seq_length;
  const Tensor w = batch_windows(train_ids, T, params.batch, params.seed, history.step);
  const Tensor x = w.narrow(1, 0, T), y = w.narrow(1, 1, T);
  const double lr = lr_at(history.step);
  for (auto& group : optimizer->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
  model->train();
  const ForwardResult r = model->forward(x);
  const Tensor ce =
      torch::nn::functional::cross_entropy(r.logits.reshape({-1, model->vocab()}), y.reshape({-1}));
  optimizer->zero_grad();
  ce.backward();
  const double ce_value = ce.item<double>();
  if (!std::isfinite(ce_value)) {
    throw RuntimeError("flux train: the loss became " + std::to_string(ce_value) + " at step " +
                       std::to_string(history.step) + " (lower train.lr?)");
  }
  if (model->output_rule_timing() == OutputRuleTiming::BeforeStep) model->apply_output_rule(r, y);
  if (params.clip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), params.clip);
  optimizer->step();
  if (model->output_rule_timing() == OutputRuleTiming::AfterStep) model->apply_output_rule(r, y);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MetricRow m;
  m.step = history.step + 1;
  m.cross_entropy = ce_value;
  m.geometric = r.geometric.item<double>();
  m.loss = ce_value + model->params().geometric_weight * m.geometric;
  m.lr = lr;
  m.tokens_per_s = static_cast<double>(params.batch * T) / secs;
  history.step += 1;
  history.seconds += secs;
  history.metrics.push_back(m);
  return m;
}

std::vector<int64_t> generate(LanguageModel& model, const std::vector<int64_t>& prompt,
                              int64_t count, double temperature, int64_t top_k, uint32_t seed) {
  if (prompt.empty()) throw InputError("generation needs a prompt of at least one token");
  if (top_k > model.vocab()) {
    throw InputError("top-k = " + std::to_string(top_k) + " is larger than the vocabulary (" +
                     std::to_string(model.vocab()) + " tokens)");
  }
  if (!(temperature > 0)) throw InputError("temperature must be > 0");
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  std::vector<int64_t> ids = prompt;
  const int64_t T = model.params().max_seq_length;
  const rng::Philox gen(seed, rng::Stream::FluxSampling);
  for (int64_t i = 0; i < count; ++i) {
    const auto n = static_cast<int64_t>(ids.size());
    const int64_t start = std::max<int64_t>(0, n - T);
    const Tensor x =
        torch::tensor(std::vector<int64_t>(ids.begin() + start, ids.end()), torch::kLong)
            .unsqueeze(0);
    Tensor logits = model.forward(x).logits[0][-1].to(torch::kDouble) / temperature;
    if (top_k > 0 && top_k < model.vocab()) {
      const Tensor kth = std::get<0>(logits.topk(top_k)).index({top_k - 1});
      logits = logits.masked_fill(logits.lt(kth), -std::numeric_limits<double>::infinity());
    }
    const Tensor probs = torch::softmax(logits, 0);
    const double u = gen.uniform_pair(static_cast<uint64_t>(i), 0).first;
    const Tensor cdf = probs.cumsum(0);
    int64_t next =
        torch::searchsorted(cdf, torch::scalar_tensor(u, torch::kDouble)).item<int64_t>();
    next = std::min(next, model.vocab() - 1);
    ids.push_back(next);
  }
  if (was_training) model.train();
  return {ids.begin() + static_cast<std::ptrdiff_t>(prompt.size()), ids.end()};
}

}  // namespace qneuro::flux
