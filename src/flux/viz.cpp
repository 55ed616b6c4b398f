// Visualisation data of a flux run (layout in trainer.hpp and docs/flux.md).
#include "qneuro/flux/trainer.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::flux {

void write_viz(const std::filesystem::path& path, LanguageModel& model, const Tokenizer& tok,
               const std::vector<int64_t>& window, const TrainHistory& history) {
  const bool was_training = model.is_training();
  model.eval();
  ForwardResult r;
  {
    torch::NoGradGuard no_grad;
    r = model.forward(torch::tensor(window, torch::kLong).unsqueeze(0), true);
  }
  if (was_training) model.train();
  const auto T = static_cast<std::size_t>(window.size());
  const std::size_t L = r.scores.size();
  std::vector<float> states, scores;
  for (const auto& s : r.states) {
    const torch::Tensor c = s[0].contiguous().to(torch::kFloat);
    states.insert(states.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  for (const auto& s : r.scores) {
    const torch::Tensor c = s[0].contiguous().to(torch::kFloat);
    scores.insert(scores.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  // Per head, for the models that have heads (flux, transformer; faithful has one map).
  std::vector<float> head_scores;
  const std::size_t H =
      r.head_scores.size() == L && L > 0 ? static_cast<std::size_t>(r.head_scores[0].size(1)) : 0;
  for (const auto& s : r.head_scores) {
    if (H == 0) break;
    const torch::Tensor c = s[0].contiguous().to(torch::kFloat);
    head_scores.insert(head_scores.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  const HistoryColumns h = history_columns(history);
  io::AtomicFile f(path);
  {
    io::H5File h5 = io::H5File::create(f.temp_path());
    h5.set_attr("/", "schema", "qneuro.flux.viz/1");
    h5.set_attr("/", "kind", to_string(model.params().kind));
    h5.set_attr("/", "text", tok.decode(window));
    h5.write("tokens", std::span<const int64_t>(window), {T});
    h5.write("states", std::span<const float>(states), {L + 1, T, 2});
    h5.write("scores", std::span<const float>(scores), {L, T, T});
    if (H > 0) h5.write("head_scores", std::span<const float>(head_scores), {L, H, T, T});
    h5.write("coherence", std::span<const double>(r.coherence), {L});
    h5.create_group("train");
    const auto column = [&h5](const std::string& name, const std::vector<double>& v) {
      h5.write(name, std::span<const double>(v), {v.size()});
    };
    h5.write("train/step", std::span<const int64_t>(h.step), {h.step.size()});
    column("train/loss", h.loss);
    column("train/cross_entropy", h.cross_entropy);
    column("train/geometric", h.geometric);
    column("train/lr", h.lr);
    column("train/tokens_per_s", h.tokens_per_s);
    h5.create_group("eval");
    h5.write("eval/step", std::span<const int64_t>(h.eval_step), {h.eval_step.size()});
    column("eval/bits_per_char", h.eval_bits_per_char);
    h5.close();
  }
  f.commit();
}

HistoryColumns history_columns(const TrainHistory& history) {
  HistoryColumns c;
  for (const MetricRow& m : history.metrics) {
    c.step.push_back(m.step);
    c.loss.push_back(m.loss);
    c.cross_entropy.push_back(m.cross_entropy);
    c.geometric.push_back(m.geometric);
    c.lr.push_back(m.lr);
    c.tokens_per_s.push_back(m.tokens_per_s);
  }
  for (const EvalRow& e : history.evals) {
    c.eval_step.push_back(e.step);
    c.eval_bits_per_char.push_back(e.bits_per_char);
  }
  return c;
}

}  // namespace qneuro::flux
