// snn::run_training (snn/torch/training_run.hpp) from library code: seeded inside the library,
// epochs through the observer, the files `qneuro snn train` writes.
#include <gtest/gtest.h>

#include <fstream>

#include "qneuro/snn/torch/training_run.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

fs::path write_csv(const fs::path& dir) {
  const fs::path p = dir / "blobs.csv";
  std::ofstream out(p);
  for (int i = 0; i < 120; ++i) {
    const int label = i % 3;
    for (int k = 0; k < 16; ++k)
      out << ((k * 7 + label * 13) % 5 < 2 ? 14 : 1) + (i * k) % 3 << ",";
    out << label << "\n";
  }
  return p;
}

TEST(TrainingRun, SameSeedGivesTheSameModelWhoeverCallsAndEpochsAreReported) {
  TempDir dir;
  const fs::path data = write_csv(dir.path());
  const auto cfg = config::Config::resolve(snn::train_schema(), "test", {}, {"data.train_rows=90"});
  struct Epochs : snn::ClassifierObserver {
    std::size_t epochs = 0;
    uint64_t batches = 0;
    void on_epoch(const snn::EpochRecord& e) override { epochs = e.epoch; }
    void on_progress(const Progress& p) override { batches = p.done; }
  } obs;
  snn::TrainingRunOptions opt;
  opt.out = dir / "clf";
  const snn::TrainingRunResult a = snn::run_training(data, cfg, opt, &obs);
  EXPECT_EQ(obs.epochs, 2u);
  EXPECT_EQ(obs.batches, 2u * ((90 + 63) / 64));
  for (const char* f :
       {"model.pt", "curves.h5", "summary.json", "config.resolved.toml", "run.json"}) {
    EXPECT_TRUE(fs::exists(opt.out / f)) << f;
  }
  torch::manual_seed(4242);  // whatever the caller's generator holds
  const snn::TrainingRunResult b = snn::run_training(data, cfg, {});
  EXPECT_TRUE(torch::equal(a.model->fc1->weight, b.model->fc1->weight));
  EXPECT_EQ(a.result.test_accuracy, b.result.test_accuracy);
  EXPECT_EQ(a.summary["model"]["encoding"], "rate");
}

}  // namespace
}  // namespace qneuro
