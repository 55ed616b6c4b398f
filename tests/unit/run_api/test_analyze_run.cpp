// eeg::analyze_file / analyze_recording (eeg/run.hpp): the same numbers from a file and from
// memory, channel selection in memory, and the files `qneuro analyze` writes.
#include <gtest/gtest.h>

#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/eeg/run.hpp"
#include "qneuro/eeg/synth.hpp"
#include "qneuro/io/json.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(AnalyzeRun, MemoryAndFileGiveTheSameSummary) {
  eeg::SynthParams sp;
  sp.channels = 6;
  sp.duration_s = 12;
  const io::Recording rec = eeg::synthesize_eeg(sp);
  TempDir dir;
  io::write_recording_h5(dir / "rec.h5", rec);  // float64: exact
  const auto cfg = config::Config::resolve(eeg::analysis_schema(), "", {}, {});
  struct Stages : RunObserver {
    uint64_t done = 0, total = 0;
    void on_progress(const Progress& p) override {
      done = p.done;
      total = p.total;
    }
  } stages;
  eeg::AnalyzeRunOptions opt;
  opt.out = dir / "out";
  const eeg::AnalyzeRunResult from_file = eeg::analyze_file(dir / "rec.h5", cfg, opt, &stages);
  EXPECT_EQ(stages.total, 1u + from_file.result.params.bands.size());
  EXPECT_EQ(stages.done, stages.total);
  for (const char* f : {"summary.json", "analysis.h5", "config.resolved.toml", "run.json"}) {
    EXPECT_TRUE(fs::exists(opt.out / f)) << f;
  }
  EXPECT_EQ(io::read_json(opt.out / "run.json")["input"], (dir / "rec.h5").string());
  const eeg::AnalyzeRunResult in_memory = eeg::analyze_recording(rec, cfg, {});
  auto strip = [](nlohmann::ordered_json j) {
    j.erase("timing_s");
    j.erase("source");
    j.erase("format");
    return j;
  };
  EXPECT_EQ(strip(in_memory.summary), strip(from_file.summary));
}

TEST(AnalyzeRun, ChannelSelectionAppliesToRecordingsInMemory) {
  eeg::SynthParams sp;
  sp.channels = 8;
  sp.duration_s = 8;
  const io::Recording rec = eeg::synthesize_eeg(sp);
  const auto cfg = config::Config::resolve(
      eeg::analysis_schema(), "", {},
      {"channels.names=[\"" + rec.channels[1] + "\", \"" + rec.channels[5] + "\"]"});
  const eeg::AnalyzeRunResult r = eeg::analyze_recording(rec, cfg, {});
  EXPECT_EQ(r.result.channels, (std::vector<std::string>{rec.channels[1], rec.channels[5]}));
  const auto missing =
      config::Config::resolve(eeg::analysis_schema(), "", {}, {"channels.names=[\"Q9\"]"});
  EXPECT_THROW((void)eeg::analyze_recording(rec, missing, {}), InputError);
}

}  // namespace
}  // namespace qneuro
