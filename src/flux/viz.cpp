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
  std::vector<int64_t> step, eval_step;
  std::vector<double> loss, ce, geo, lr, tps, bpc;
  for (const MetricRow& m : history.metrics) {
    step.push_back(m.step);
    loss.push_back(m.loss);
    ce.push_back(m.cross_entropy);
    geo.push_back(m.geometric);
    lr.push_back(m.lr);
    tps.push_back(m.tokens_per_s);
  }
  for (const EvalRow& e : history.evals) {
    eval_step.push_back(e.step);
    bpc.push_back(e.bits_per_char);
  }
  io::AtomicFile f(path);
  {
    io::H5File h5 = io::H5File::create(f.temp_path());
    h5.set_attr("/", "schema", "qneuro.flux.viz/1");
    h5.set_attr("/", "kind", to_string(model.params().kind));
    h5.set_attr("/", "text", tok.decode(window));
    h5.write("tokens", std::span<const int64_t>(window), {T});
    h5.write("states", std::span<const float>(states), {L + 1, T, 2});
    h5.write("scores", std::span<const float>(scores), {L, T, T});
    h5.write("coherence", std::span<const double>(r.coherence), {L});
    h5.create_group("train");
    h5.write("train/step", std::span<const int64_t>(step), {step.size()});
    h5.write("train/loss", std::span<const double>(loss), {loss.size()});
    h5.write("train/cross_entropy", std::span<const double>(ce), {ce.size()});
    h5.write("train/geometric", std::span<const double>(geo), {geo.size()});
    h5.write("train/lr", std::span<const double>(lr), {lr.size()});
    h5.write("train/tokens_per_s", std::span<const double>(tps), {tps.size()});
    h5.create_group("eval");
    h5.write("eval/step", std::span<const int64_t>(eval_step), {eval_step.size()});
    h5.write("eval/bits_per_char", std::span<const double>(bpc), {bpc.size()});
    h5.close();
  }
  f.commit();
}

}  // namespace qneuro::flux
