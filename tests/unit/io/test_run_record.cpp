// run.json (io/run_record.hpp): the keys every run records, in order, then the run's own.
#include <gtest/gtest.h>

#include "qneuro/core/version.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/io/run_record.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

TEST(RunRecord, WritesTheCommonKeysInOrderThenTheExtras) {
  testing::TempDir dir;
  io::RunRecord run("field", "qneuro field --preset test");
  run.extra()["status"] = "completed";
  run.write(dir.path());
  const auto j = io::read_json(dir / "run.json");
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"schema", "qneuro_version", "git_hash", "build_type",
                                            "subcommand", "command_line", "threads", "started_at",
                                            "wall_s", "status"}));
  EXPECT_EQ(j["schema"], "qneuro.run/1");
  EXPECT_EQ(j["qneuro_version"], build_info::version());
  EXPECT_EQ(j["subcommand"], "field");
  EXPECT_EQ(j["command_line"], "qneuro field --preset test");
  EXPECT_GE(j["wall_s"].get<double>(), 0.0);
  EXPECT_EQ(j["started_at"].get<std::string>().size(), 20u);  // 2026-12-04T12:00:00Z
  EXPECT_EQ(build_info::version_line().rfind("qneuro ", 0), 0u);
}

}  // namespace
}  // namespace qneuro
