// flux::train and make_model (flux/run.hpp, flux/model.hpp) from library code: seeded inside the
// library, live data through the observer, a stop that leaves a resumable checkpoint.
#include <gtest/gtest.h>

#include "qneuro/flux/run.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string text() {
  std::string t;
  const char* words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat, ", "and ", "dog\n"};
  for (int i = 0; i < 600; ++i) t += words[(i * 5 + i / 7) % 8];
  return t;
}

config::Config test_config(std::vector<std::string> sets = {}) {
  return config::Config::resolve(flux::flux_schema(), "test", {}, sets);
}

bool same_parameters(flux::LanguageModel& a, flux::LanguageModel& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  if (pa.size() != pb.size()) return false;
  for (const auto& kv : pa) {
    if (!torch::equal(kv.value(), pb[kv.key()])) return false;
  }
  return true;
}

TEST(FluxRun, MakeModelIsSeededInsideAndLeavesTheCallersGeneratorAlone) {
  // Regression: the CLI called torch::manual_seed, so make_model alone was not reproducible.
  const flux::FluxConfig fc = flux::flux_config_from(test_config());
  for (const auto kind :
       {flux::ModelKind::Flux, flux::ModelKind::Faithful, flux::ModelKind::Transformer}) {
    flux::ModelParams p = fc.model;
    p.kind = kind;
    torch::manual_seed(123);
    const auto a = flux::make_model(p, 9, 5);
    const torch::Tensor draw_after = torch::rand({4});
    torch::manual_seed(999);  // whatever the caller did before
    const auto b = flux::make_model(p, 9, 5);
    EXPECT_TRUE(same_parameters(*a, *b)) << to_string(kind);
    const auto c = flux::make_model(p, 9, 6);
    EXPECT_FALSE(same_parameters(*a, *c)) << to_string(kind);
    torch::manual_seed(123);
    EXPECT_TRUE(torch::equal(draw_after, torch::rand({4}))) << "caller's generator was moved";
  }
}

struct Events : flux::TrainObserver {
  int steps = 0, evals = 0, checkpoints = 0;
  uint64_t total = 0;
  int64_t stop_at = 0;  ///< 0: never
  int64_t last = 0;
  void on_progress(const Progress& p) override {
    total = p.total;
    EXPECT_FALSE(p.detail.empty());
  }
  void on_step(const flux::MetricRow& m) override {
    ++steps;
    last = m.step;
  }
  void on_eval(const flux::EvalRow&) override { ++evals; }
  void on_checkpoint(int64_t, const fs::path& d) override {
    EXPECT_TRUE(fs::exists(d / "checkpoint.json"));
    ++checkpoints;
  }
  bool stop_requested() override { return stop_at > 0 && last >= stop_at; }
};

TEST(FluxRun, TrainingInMemoryReportsEveryStepAndEvaluation) {
  Events ev;
  const flux::TrainRunResult r = flux::train(text(), test_config(), {}, &ev);
  EXPECT_EQ(r.status, RunStatus::Completed);
  EXPECT_EQ(ev.steps, 20);
  EXPECT_EQ(ev.total, 20u);
  EXPECT_EQ(ev.evals, 2);  // step 10, and the final one over the whole held-out text
  EXPECT_EQ(ev.checkpoints, 0);
  EXPECT_EQ(r.history.step, 20);
  EXPECT_GT(r.held_out.bits_per_char, 0.0);
  EXPECT_EQ(r.summary["schema"], "qneuro.flux.train/1");
  // The same seed trains the same model, whoever calls it and whatever the generator held.
  torch::manual_seed(77);
  const flux::TrainRunResult again = flux::train(text(), test_config(), {});
  EXPECT_TRUE(same_parameters(*r.model, *again.model));
  EXPECT_EQ(r.held_out.bits_per_char, again.held_out.bits_per_char);
}

TEST(FluxRun, StopLeavesACheckpointThatResumeContinues) {
  TempDir dir;
  flux::TrainRunOptions opt;
  opt.out = dir / "lm";
  Events ev;
  ev.stop_at = 6;
  const flux::TrainRunResult part = flux::train(text(), test_config(), opt, &ev);
  EXPECT_EQ(part.status, RunStatus::Interrupted);
  EXPECT_EQ(part.history.step, 6);
  EXPECT_EQ(part.summary["status"], "interrupted");
  EXPECT_TRUE(fs::exists(opt.out / "checkpoint" / "checkpoint.json"));
  opt.resume = true;
  const flux::TrainRunResult rest = flux::train(text(), test_config(), opt);
  EXPECT_TRUE(rest.resumed);
  EXPECT_EQ(rest.status, RunStatus::Completed);
  EXPECT_EQ(rest.history.step, 20);
  const flux::LoadedCheckpoint ck = flux::load_checkpoint(flux::checkpoint_dir(opt.out));
  EXPECT_EQ(ck.history.step, 20);
  flux::GenerateOverrides g;
  g.tokens = 12;
  EXPECT_EQ(flux::generate_text(ck, "the ", g).size(), 12u);  // char tokenizer, ASCII text
  EXPECT_THROW((void)flux::generate_text(ck, "", g), UsageError);
}

}  // namespace
}  // namespace qneuro

namespace qneuro {
namespace {

TEST(FluxRun, RecordedHeadScoresAverageToTheLayerScores) {
  // The dashboard's flux viewer draws each head (viz.h5 /head_scores); their mean over heads is
  // the head-averaged map the seed's heat map shows (/scores).
  const flux::FluxConfig fc = flux::flux_config_from(test_config());
  for (const auto kind :
       {flux::ModelKind::Flux, flux::ModelKind::Transformer, flux::ModelKind::Faithful}) {
    flux::ModelParams p = fc.model;
    p.kind = kind;
    const auto model = flux::make_model(p, 9, 3);
    model->eval();
    torch::NoGradGuard no_grad;
    const flux::ForwardResult r = model->forward(torch::randint(0, 9, {2, 12}, torch::kLong), true);
    if (kind == flux::ModelKind::Faithful) {
      EXPECT_TRUE(r.head_scores.empty());  // one map per layer, no heads
      continue;
    }
    ASSERT_EQ(r.head_scores.size(), r.scores.size()) << to_string(kind);
    for (std::size_t l = 0; l < r.scores.size(); ++l) {
      EXPECT_EQ(r.head_scores[l].dim(), 4);
      EXPECT_EQ(r.head_scores[l].size(1), p.heads);
      EXPECT_TRUE(torch::allclose(r.head_scores[l].mean(1), r.scores[l], 1e-6, 1e-7))
          << to_string(kind) << " layer " << l;
    }
  }
}

}  // namespace
}  // namespace qneuro
