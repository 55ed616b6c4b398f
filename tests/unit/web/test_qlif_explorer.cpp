// The QLIF explorer: every control it shows changes the simulated data (the original dashboard
// had parameters that did nothing), and its requests are validated.
#include <gtest/gtest.h>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/snn_config.hpp"
#include "qneuro/web/qlif_explorer.hpp"
#include "qneuro/web/requests.hpp"

using nlohmann::json;

namespace {

// Smaller than the page's default so the sweep over ~70 controls stays quick.
json run(json set) {
  if (set.value("sim.neurons", 0) == 1000) set["sim.neurons"] = 200;
  if (set.value("sim.steps", 0) == 1000) set["sim.steps"] = 400;
  json r = qneuro::web::qlif_run({{"set", set}, {"show", {0, 1, 2}}});
  r.erase("seconds");  // wall time
  return r;
}

// The value `key` has in the explorer's config with `set` applied.
json current_value(const std::string& key, const json& set) {
  const auto cfg =
      qneuro::config::Config::resolve(qneuro::snn::snn_schema(), "default", std::nullopt,
                                      qneuro::web::overrides_from_json(set, "set"));
  const toml::node* n = cfg.table().at_path(key).node();
  if (const auto* v = n->as_boolean()) return v->get();
  if (const auto* v = n->as_integer()) return v->get();
  if (const auto* v = n->as_floating_point()) return v->get();
  if (const auto* v = n->as_string()) return v->get();
  return nullptr;
}

}  // namespace

TEST(WebQlifControls, EveryControlChangesTheResult) {
  const json controls = qneuro::web::qlif_controls();
  std::size_t checked = 0;
  for (const json& group : controls["groups"]) {
    for (const json& c : group["keys"]) {
      const std::string key = c["key"];
      json set = controls["base"];
      for (const auto& [k, v] : c["requires"].items()) set[k] = v.is_array() ? v[0] : v;
      // A key whose current value is invalid under its requirements (quantum.slope = 0 once
      // quantum.p0 is set) starts from the top of its slider.
      try {
        (void)qneuro::snn::snn_params_from_config(
            qneuro::config::Config::resolve(qneuro::snn::snn_schema(), "default", std::nullopt,
                                            qneuro::web::overrides_from_json(set, "set")));
      } catch (const qneuro::ConfigError&) {
        set[key] = c["slider"]["max"];
      }
      const json base_value = current_value(key, set);
      const json base = run(set);
      std::vector<json> alternatives;
      const std::string kind = c["kind"];
      if (kind == "bool") {
        alternatives.push_back(!base_value.get<bool>());
      } else if (kind == "choice") {
        for (const json& choice : c["choices"]) {
          if (choice != base_value && choice != "file") alternatives.push_back(choice);
        }
      } else {
        ASSERT_TRUE(c.contains("slider")) << key;
        alternatives.push_back(c["slider"]["min"]);
        alternatives.push_back(c["slider"]["max"]);
        if (kind == "int") {
          for (json& a : alternatives) a = static_cast<int64_t>(a.get<double>());
        }
      }
      ASSERT_FALSE(alternatives.empty()) << key;
      bool any_changed = false;
      for (const json& value : alternatives) {
        if (value == base_value) continue;
        json changed_set = set;
        changed_set[key] = value;
        bool changed = false;
        try {
          changed = run(changed_set) != base;
        } catch (const std::exception& e) {
          ADD_FAILURE() << key << " = " << value << " under " << set.dump() << ": " << e.what();
        }
        any_changed = any_changed || changed;
        // Every choice of a choice key must matter, not just one of them.
        if (kind == "choice") {
          EXPECT_TRUE(changed) << group["name"] << ": " << key << " = " << value << " under "
                               << set.dump();
        }
      }
      EXPECT_TRUE(any_changed) << group["name"] << ": " << key
                               << " changes nothing over its range under " << set.dump();
      ++checked;
    }
  }
  EXPECT_GE(checked, 60u);
}

TEST(WebQlifControls, ListOnlySchemaKeysThatActInASimulation) {
  const json controls = qneuro::web::qlif_controls();
  for (const json& group : controls["groups"]) {
    for (const json& c : group["keys"]) {
      const std::string key = c["key"];
      EXPECT_NE(key, "neuron.surrogate_gradient_function");  // training only
      EXPECT_NE(key, "neuron.alpha");
      EXPECT_NE(key, "sim.batch");
      EXPECT_NE(key, "input.path");
      EXPECT_NE(qneuro::snn::snn_schema().find(key), nullptr) << key;
    }
  }
}

TEST(WebQlifRun, ReturnsThePlottedSeriesWithConsistentShapes) {
  const json r = qneuro::web::qlif_run(
      {{"set", {{"sim.neurons", 300}, {"sim.steps", 250}}}, {"show", {0, 7}}});
  EXPECT_EQ(r["T"], 250);
  EXPECT_EQ(r["N"], 300);
  for (const char* k : {"input", "voltage", "threshold"}) {
    ASSERT_EQ(r[k].size(), 2u) << k;
    EXPECT_EQ(r[k][0].size(), 250u) << k;
  }
  for (const char* k : {"p", "D", "A", "E", "Theta"})
    EXPECT_EQ(r["traces"][k][1].size(), 250u) << k;
  EXPECT_EQ(r["rate_hz"].size(), 250u);
  EXPECT_EQ(r["raster"]["t"].size(), r["raster"]["n"].size());
  // The raster holds the spikes of the shown neurons that are under 200.
  for (std::size_t i = 0; i < r["raster"]["t"].size(); ++i)
    EXPECT_LT(r["raster"]["n"][i].get<int>(), 200);
  std::size_t spikes0 = 0;
  for (std::size_t i = 0; i < r["raster"]["n"].size(); ++i) spikes0 += r["raster"]["n"][i] == 0;
  EXPECT_EQ(spikes0, r["spikes"][0].size());
  // Without adaptation or modulation the threshold is V_th.
  const json flat = qneuro::web::qlif_run({{"set",
                                            {{"sim.neurons", 10},
                                             {"sim.steps", 50},
                                             {"neuron.use_adaptive_threshold", false},
                                             {"neuron.V_th", 1.25}}}});
  for (const json& v : flat["threshold"][0]) EXPECT_DOUBLE_EQ(v.get<double>(), 1.25);
}

TEST(WebQlifRun, RejectsBadRequestsNamingTheKey) {
  const auto status_key = [](const json& request) -> std::pair<int, std::string> {
    try {
      (void)qneuro::web::qlif_run(request);
    } catch (const qneuro::web::HttpError& e) {
      return {e.status(), e.key()};
    } catch (const qneuro::ConfigError& e) {
      return {400, qneuro::web::key_in_message(e.what())};
    }
    return {200, ""};
  };
  EXPECT_EQ(status_key({{"set", {{"sim.neurons", 100000}, {"sim.steps", 1000}}}}),
            std::make_pair(400, std::string("sim.neurons")));
  EXPECT_EQ(status_key({{"set", {{"sim.neurons", 10}}}, {"show", {10}}}),
            std::make_pair(400, std::string("show")));
  EXPECT_EQ(status_key({{"set", {{"neuron.tau", -1}}}}),
            std::make_pair(400, std::string("neuron.tau")));
  EXPECT_EQ(status_key({{"set", {{"neuron.nonsense", 1}}}}).first, 400);
  EXPECT_EQ(status_key({{"set", {{"input.kind", "file"}}}}),
            std::make_pair(400, std::string("input.kind")));
  EXPECT_EQ(status_key({{"set", {{"record.traces", false}}}}),
            std::make_pair(400, std::string("record.traces")));
  EXPECT_EQ(status_key({{"set", 5}}), std::make_pair(400, std::string("set")));
  EXPECT_EQ(status_key(json::array()), std::make_pair(400, std::string("body")));
}
