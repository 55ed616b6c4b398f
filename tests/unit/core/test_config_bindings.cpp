// Config keys bound to struct members (core/config_bindings.hpp): the default of each key is the
// member's initialiser, and read() fills the struct from a resolved config.
#include <gtest/gtest.h>

#include "qneuro/core/config_bindings.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro {
namespace {
enum class Mode { Fast, Exact };
}  // namespace
template <>
inline constexpr std::array enum_names<Mode>{EnumName{Mode::Fast, "fast"},
                                             EnumName{Mode::Exact, "exact"}};
namespace {

struct Inner {
  double rate = 0.25;
  std::array<double, 3> centre{1.0, 2.0, 3.0};
};
struct Params {
  bool on = true;
  uint32_t seed = 7;
  std::size_t count = 12;
  double dt = 0.5;
  std::string name = "x";
  Mode mode = Mode::Exact;
  Inner inner;
  std::vector<double> weights{0.5, 1.5};
  std::vector<int64_t> slices{-1};
  std::vector<std::string> labels{"a", "b"};
};

config::BoundSchema<Params> schema() {
  config::BoundSchema<Params> b("test");
  b.bind("run.on", QNEURO_MEMBER(on), {"", "switch"});
  b.bind("run.seed", QNEURO_MEMBER(seed), {"", "seed"}, config::Bounds{0.0, 4294967295.0});
  b.bind("run.count", QNEURO_MEMBER(count), {"", "count"}, config::Bounds{1.0, 100.0});
  b.bind("time.dt", QNEURO_MEMBER(dt), {"s", "step"}, config::Bounds{0.0, 1.0, true});
  b.bind("run.name", QNEURO_MEMBER(name), {"", "name"});
  b.bind("run.mode", QNEURO_MEMBER(mode), {"", "mode"});
  b.bind("model.rate", QNEURO_MEMBER(inner.rate), {"", "rate in a nested struct"});
  b.bind("model.centre", QNEURO_MEMBER(inner.centre), {"length", "a 3-vector"});
  b.bind_list("model.weights", QNEURO_MEMBER(weights), {"", "weights"}, {}, 1, 4);
  b.bind("out.slices", QNEURO_MEMBER(slices), {"", "ints"});
  b.bind("out.labels", QNEURO_MEMBER(labels), {"", "strings"});
  return b;
}

TEST(ConfigBindings, DefaultsAreTheStructsInitialisers) {
  const auto b = schema();
  const auto cfg = config::Config::resolve(b.schema(), "", {}, {});
  Params p;
  p.on = false;  // read() must overwrite every bound member
  p.seed = 0;
  p.inner.centre = {0, 0, 0};
  p.labels.clear();
  b.read(cfg, p);
  const Params d;
  EXPECT_EQ(p.on, d.on);
  EXPECT_EQ(p.seed, d.seed);
  EXPECT_EQ(p.count, d.count);
  EXPECT_EQ(p.dt, d.dt);
  EXPECT_EQ(p.name, d.name);
  EXPECT_EQ(p.mode, d.mode);
  EXPECT_EQ(p.inner.rate, d.inner.rate);
  EXPECT_EQ(p.inner.centre, d.inner.centre);
  EXPECT_EQ(p.weights, d.weights);
  EXPECT_EQ(p.slices, d.slices);
  EXPECT_EQ(p.labels, d.labels);
  EXPECT_EQ(b.schema().find("model.centre")->type_name(), "list of 3 floats");
  EXPECT_EQ(b.schema().find("run.mode")->choices, (std::vector<std::string>{"fast", "exact"}));
}

TEST(ConfigBindings, ReadStoresEveryOverride) {
  const auto b = schema();
  const auto cfg = config::Config::resolve(
      b.schema(), "", {},
      {"run.on=false", "run.seed=4000000000", "run.count=3", "time.dt=0.125", "run.name=\"y\"",
       "run.mode=fast", "model.rate=2", "model.centre=[4, 5, 6]", "model.weights=[1.0]",
       "out.slices=[0, 2]", "out.labels=p,q,r"});
  Params p;
  b.read(cfg, p);
  EXPECT_FALSE(p.on);
  EXPECT_EQ(p.seed, 4000000000u);
  EXPECT_EQ(p.count, 3u);
  EXPECT_EQ(p.dt, 0.125);
  EXPECT_EQ(p.name, "y");
  EXPECT_EQ(p.mode, Mode::Fast);
  EXPECT_EQ(p.inner.rate, 2.0);
  EXPECT_EQ(p.inner.centre, (std::array<double, 3>{4, 5, 6}));
  EXPECT_EQ(p.weights, std::vector<double>{1.0});
  EXPECT_EQ(p.slices, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(p.labels, (std::vector<std::string>{"p", "q", "r"}));
}

TEST(ConfigBindings, BoundsAndLengthsStillValidate) {
  const auto b = schema();
  EXPECT_THROW((void)config::Config::resolve(b.schema(), "", {}, {"run.count=0"}), ConfigError);
  EXPECT_THROW((void)config::Config::resolve(b.schema(), "", {}, {"model.centre=[1, 2]"}),
               ConfigError);
  EXPECT_THROW((void)config::Config::resolve(b.schema(), "", {}, {"model.weights=[]"}),
               ConfigError);
  EXPECT_THROW((void)config::Config::resolve(b.schema(), "", {}, {"run.mode=slow"}), ConfigError);
}

}  // namespace
}  // namespace qneuro
