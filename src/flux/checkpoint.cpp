// Checkpoint directories of the flux trainer (trainer.hpp lists the files).
#include <fstream>

#include "flux_internal.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/flux/trainer.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::flux {

namespace fs = std::filesystem;

namespace {

template <typename Save>
void save_atomic(const fs::path& path, Save&& save) {
  io::AtomicFile f(path);
  save(f.temp_path().string());
  f.commit();
}

nlohmann::ordered_json history_json(const TrainHistory& h) {
  nlohmann::ordered_json j;
  j["step"] = h.step;
  j["seconds"] = h.seconds;
  nlohmann::ordered_json m = nlohmann::ordered_json::array();
  for (const MetricRow& r : h.metrics) {
    m.push_back({r.step, r.loss, r.cross_entropy, r.geometric, r.lr, r.tokens_per_s});
  }
  j["metrics"] = m;  // rows: step, loss, cross_entropy, geometric, lr, tokens_per_s
  nlohmann::ordered_json e = nlohmann::ordered_json::array();
  for (const EvalRow& r : h.evals) e.push_back({r.step, r.bits_per_char});
  j["evals"] = e;  // rows: step, bits_per_char
  return j;
}

TrainHistory history_from(const nlohmann::json& j) {
  TrainHistory h;
  h.step = j.at("step").get<int64_t>();
  h.seconds = j.at("seconds").get<double>();
  for (const auto& r : j.at("metrics")) {
    h.metrics.push_back({r[0].get<int64_t>(), r[1].get<double>(), r[2].get<double>(),
                         r[3].get<double>(), r[4].get<double>(), r[5].get<double>()});
  }
  for (const auto& r : j.at("evals")) h.evals.push_back({r[0].get<int64_t>(), r[1].get<double>()});
  return h;
}

}  // namespace

void save_checkpoint(const fs::path& dir, const Trainer& trainer, const Tokenizer& tok,
                     const std::string& config_toml) {
  fs::create_directories(dir);
  io::write_file_atomic(dir / "config.toml", config_toml);
  io::write_file_atomic(dir / "tokenizer.json", tok.to_json());
  save_atomic(dir / "model.pt", [&](const std::string& p) {
    torch::serialize::OutputArchive ar;
    trainer.model->save(ar);
    ar.save_to(p);
  });
  save_atomic(dir / "optimizer.pt",
              [&](const std::string& p) { torch::save(*trainer.optimizer, p); });
  save_atomic(dir / "rng.pt", [&](const std::string& p) {
    torch::save(at::detail::getDefaultCPUGenerator().get_state(), p);
  });
  nlohmann::ordered_json j;
  j["schema"] = "qneuro.flux.checkpoint/1";
  j["kind"] = to_string(trainer.model->params().kind);
  j["vocab_size"] = trainer.model->vocab();
  j["tokenizer"] = to_string(tok.kind());
  j["history"] = history_json(trainer.history);
  io::write_json(dir / "checkpoint.json", j);
}

LoadedCheckpoint load_checkpoint(const fs::path& dir) {
  const fs::path marker = dir / "checkpoint.json";
  if (!fs::exists(marker)) {
    throw InputError("'" + dir.string() +
                     "' is not a flux checkpoint (no checkpoint.json; pass the directory that "
                     "`qneuro flux train --out` wrote, or its checkpoint/ subdirectory)");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(io::read_file(marker));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(marker.string() + ": " + e.what());
  }
  if (j.value("schema", "") != "qneuro.flux.checkpoint/1") {
    throw InputError(marker.string() + ": expected schema qneuro.flux.checkpoint/1");
  }
  LoadedCheckpoint ck;
  ck.dir = dir;
  ck.config_toml = io::read_file(dir / "config.toml");
  const config::Config cfg = config::Config::resolve(flux_schema(), "", dir / "config.toml", {});
  ck.config = flux_config_from(cfg);
  ck.tokenizer = Tokenizer::from_json(io::read_file(dir / "tokenizer.json"));
  const int64_t vocab = j.at("vocab_size").get<int64_t>();
  if (to_string(ck.config.model.kind) != j.value("kind", "") ||
      ck.tokenizer.vocab_size() != vocab) {
    throw InputError(marker.string() + ": kind or vocabulary disagrees with config.toml / " +
                     "tokenizer.json (a mixed or damaged checkpoint)");
  }
  ck.model = build_model(ck.config.model, vocab);  // its weights are loaded below
  try {
    torch::serialize::InputArchive ar;
    ar.load_from((dir / "model.pt").string());
    ck.model->load(ar);
  } catch (const c10::Error& e) {
    throw InputError((dir / "model.pt").string() + " does not fit a " +
                     to_string(ck.config.model.kind) +
                     " model of this configuration: " + e.what_without_backtrace());
  }
  ck.history = history_from(j.at("history"));
  return ck;
}

void restore_training_state(const LoadedCheckpoint& ck, Trainer& trainer) {
  torch::load(*trainer.optimizer, (ck.dir / "optimizer.pt").string());
  torch::Tensor state;
  torch::load(state, (ck.dir / "rng.pt").string());
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  gen.set_state(state);
  trainer.history = ck.history;
}

}  // namespace qneuro::flux
