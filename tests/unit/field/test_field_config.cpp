// The `qneuro field` config: documentation coverage, presets, cross-key checks, the schedule.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/field/field_config.hpp"

namespace qneuro::field {
namespace {

config::Config resolve(const std::string& preset, const std::vector<std::string>& sets = {}) {
  return config::Config::resolve(field_schema(), preset, std::nullopt, sets);
}

// docs/field.md is the user-facing reference of the key table: it must name every key.
TEST(FieldConfig, DocsNameEveryKey) {
  std::ifstream in(std::string(QNEURO_SOURCE_DIR) + "/docs/field.md");
  ASSERT_TRUE(in) << "docs/field.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  for (const auto& key : field_schema().keys()) {
    EXPECT_NE(ss.str().find("`" + key + "`"), std::string::npos) << key;
  }
}

TEST(FieldConfig, EveryPresetGivesValidParameters) {
  for (const auto& name : field_schema().preset_names()) {
    const FieldParams p = params_from_config(resolve(name), uint64_t{1} << 40);
    EXPECT_GE(p.time.steps / p.steps_per_sample(), 2u) << name;
  }
  const FieldParams demo = params_from_config(resolve("demo"));
  EXPECT_EQ(demo.grid.describe(), "64x64x32");
  EXPECT_EQ(demo.steps_per_sample(), 8u);  // 1 / (128 Hz * 1/1024)
  EXPECT_EQ(demo.readout.electrodes.size(), 16u);
  const FieldParams seed = params_from_config(resolve("seed"), uint64_t{1} << 40);
  EXPECT_EQ(seed.grid.describe(), "256x256x128");
  EXPECT_EQ(seed.time.steps, 20480u);
  EXPECT_EQ(seed.steps_per_sample(), 4u);  // 512 Hz at dt = 1/2048
}

TEST(FieldConfig, MemoryEstimateBoundsTheGrid) {
  const auto cfg = resolve("demo");
  const FieldParams p = params_from_config(cfg, uint64_t{1} << 40);
  const uint64_t need = estimated_memory_bytes(p);
  EXPECT_GT(need, p.grid.size() * 16);  // at least the double state
  try {
    (void)params_from_config(cfg, need / 2);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'grid.n'"), std::string::npos) << e.what();
  }
}

TEST(FieldConfig, ElectrodesAsPointsOrLattice) {
  const FieldParams a =
      params_from_config(resolve("demo", {"readout.electrodes=[[0.1, 0.2], [-0.5, 0]]"}));
  ASSERT_EQ(a.readout.electrodes.size(), 2u);
  EXPECT_EQ(a.readout.electrodes[0], (std::pair<double, double>{0.1, 0.2}));
  const FieldParams b = params_from_config(resolve("demo", {"readout.electrodes=[3, 2]"}));
  ASSERT_EQ(b.readout.electrodes.size(), 6u);
  EXPECT_EQ(b.readout.labels.front(), "E0_0");
  // Lattice centres of a 3 x 2 partition of [-1.6, 1.6]^2.
  EXPECT_NEAR(b.readout.electrodes[0].first, -1.6 + 3.2 / 6.0, 1e-12);
  EXPECT_NEAR(b.readout.electrodes[0].second, -0.8, 1e-12);
  EXPECT_THROW(resolve("demo", {"readout.electrodes=[[1, 2, 3]]"}), ConfigError);
  EXPECT_THROW(resolve("demo", {"readout.electrodes=[0, 2]"}), ConfigError);
}

TEST(FieldConfig, ScheduleIsSmoothBetweenStates) {
  const FieldParams p =
      params_from_config(resolve("demo", {"state.schedule=wake,deep@1", "state.transition_s=0.5"}));
  const ModelParams& m = p.model;
  ASSERT_EQ(m.schedule.size(), 2u);
  EXPECT_EQ(m.alpha_at(0.5), 0.0);
  EXPECT_EQ(m.alpha_at(1.0), 0.0);
  EXPECT_NEAR(m.alpha_at(1.25), 0.4, 1e-12);  // smoothstep(1/2) = 1/2 of 0.8
  EXPECT_EQ(m.alpha_at(1.5), 0.8);
  EXPECT_EQ(m.alpha_at(9.0), 0.8);
  EXPECT_TRUE(m.has_absorption());
  EXPECT_FALSE(m.has_dephasing());  // decoherence.rate_hz = 0 by default
}

// Issue 20: the text's brain states. Dephasing is strongest in wake, weakest in deep sleep; the
// absorption keeps the prototype's code table; both tables can be overridden per state.
TEST(FieldConfig, DephasingRateFollowsTheStates) {
  const FieldParams p = params_from_config(
      resolve("demo", {"state.schedule=wake,light@1,deep@2,rem@3", "state.transition_s=0.5",
                       "decoherence.rate_hz=10"}));
  const ModelParams& m = p.model;
  EXPECT_TRUE(m.has_dephasing());
  EXPECT_DOUBLE_EQ(m.dephasing_rate_at(0.5), 10.0);  // wake: factor 1
  EXPECT_DOUBLE_EQ(m.dephasing_rate_at(1.75), 3.0);  // light: 0.3
  EXPECT_DOUBLE_EQ(m.dephasing_rate_at(2.75), 0.5);  // deep: 0.05
  EXPECT_DOUBLE_EQ(m.dephasing_rate_at(3.75), 6.0);  // rem: 0.6
  EXPECT_NEAR(m.dephasing_rate_at(1.25), 6.5, 1e-12);  // halfway from wake to light
  EXPECT_EQ(m.alpha_at(2.75), 0.8);
  const FieldParams q = params_from_config(
      resolve("demo", {"state.schedule=wake,deep@1", "decoherence.rate_hz=2",
                       "state.decoherence=[1, 0.5, 0.25, 0.75]", "state.alpha=[0, 0, 0, 0]"}));
  EXPECT_DOUBLE_EQ(q.model.dephasing_rate_at(5.0), 0.5);
  EXPECT_FALSE(q.model.has_absorption());
}

TEST(FieldConfig, OverlappingScheduleChangesAreRefused) {
  // The change to light lasts until 1.5 s; deep may start then, not before.
  EXPECT_NO_THROW((void)params_from_config(
      resolve("demo", {"state.schedule=wake,light@1,deep@1.5", "state.transition_s=0.5"})));
  try {
    (void)params_from_config(
        resolve("demo", {"state.schedule=wake,light@1,deep@1.2", "state.transition_s=0.5"}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'state.schedule'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("overlaps"), std::string::npos) << e.what();
  }
}

TEST(FieldConfig, PopulationsTakeOneEntryEachOrNone) {
  const FieldParams one = params_from_config(resolve("demo"));
  EXPECT_EQ(one.population_count(), 1u);
  const FieldParams p = params_from_config(resolve(
      "demo", {"populations.names=exc,inh", "populations.D=[0.3, 0.4]",
               "populations.readout=[1.0, -0.5]", "populations.coupling=[1, -0.8, 0.6, 0]",
               "populations.initial_center=[0.3, 0, 0.2, -0.3, 0, -0.2]"}));
  ASSERT_EQ(p.population_count(), 2u);
  EXPECT_EQ(p.populations[1].name, "inh");
  EXPECT_EQ(p.populations[1].D, 0.4);
  EXPECT_EQ(p.populations[1].readout, -0.5);
  EXPECT_EQ(p.populations[0].coupling, (std::vector<double>{1.0, -0.8}));
  EXPECT_EQ(p.populations[1].coupling, (std::vector<double>{0.6, 0.0}));
  EXPECT_EQ(p.population_model(1).D, 0.4);
  EXPECT_EQ(p.population_model(1).harmonic_omega, p.model.harmonic_omega);  // inherited
  EXPECT_EQ(p.population_initial(1).center, (std::array<double, 3>{-0.3, 0.0, -0.2}));
  EXPECT_EQ(p.population_initial(1).seed, p.initial.seed + 1);
  // Defaults: identity coupling, readout 1.
  const FieldParams d = params_from_config(resolve("demo", {"populations.names=a,b,c"}));
  EXPECT_EQ(d.populations[2].coupling, (std::vector<double>{0.0, 0.0, 1.0}));
  EXPECT_EQ(d.populations[0].readout, 1.0);
  // A coupling matrix of the wrong size names the key and the size it needs.
  try {
    (void)params_from_config(
        resolve("demo", {"populations.names=exc,inh", "populations.coupling=[1, 0, 0]"}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'populations.coupling'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("need 4"), std::string::npos) << e.what();
  }
  // The trap check runs per population (D = 1e-4 does not resolve the ground state).
  EXPECT_THROW((void)params_from_config(resolve(
                   "demo", {"populations.names=exc,inh", "populations.D=[0.3, 0.0001]"})),
               ConfigError);
}

}  // namespace
}  // namespace qneuro::field

namespace qneuro::field {
namespace {

// Not just the names: every row of the generated key table (type, default, unit, range, meaning)
// appears verbatim in docs/field.md, so the docs cannot keep a stale default.
TEST(FieldConfig, DocsKeyTableMatchesTheSchema) {
  std::ifstream in(std::string(QNEURO_SOURCE_DIR) + "/docs/field.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::istringstream rows(field_schema().markdown());
  std::string row;
  while (std::getline(rows, row)) {
    EXPECT_NE(ss.str().find(row), std::string::npos)
        << "docs/field.md lacks (regenerate with qneuro field --describe-config):\n"
        << row;
  }
}

}  // namespace
}  // namespace qneuro::field
