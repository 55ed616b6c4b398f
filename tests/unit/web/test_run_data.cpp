// Run directories as drawable JSON, the report page, and the field monitor's event log.
#include <gtest/gtest.h>

#include <algorithm>

#include "qneuro/field/field_config.hpp"
#include "qneuro/field/run.hpp"
#include "qneuro/web/field_jobs.hpp"
#include "qneuro/web/report.hpp"
#include "qneuro/web/run_data.hpp"
#include "test_support.hpp"

using nlohmann::json;

namespace {

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = haystack.find(needle); p != std::string::npos;
       p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

}  // namespace

TEST(WebEnvelope, MinAndMaxOfEachBucketMatchABruteForceScan) {
  qneuro::io::Recording rec;
  rec.sfreq_hz = 100.0;
  rec.channels = {"a", "b"};
  rec.data.assign(2, std::vector<double>(1000));
  for (std::size_t i = 0; i < 1000; ++i) {
    rec.data[0][i] = std::sin(0.37 * static_cast<double>(i)) * 10.0;
    rec.data[1][i] = static_cast<double>(i % 17);
  }
  const json e = qneuro::web::envelope_json(rec, 1.0, 8.0, 70, {1, 0});
  EXPECT_TRUE(e["decimated"].get<bool>());
  EXPECT_EQ(e["channels"], json({1, 0}));
  EXPECT_EQ(e["names"], json({"b", "a"}));
  ASSERT_EQ(e["min"][1].size(), 70u);
  for (std::size_t b = 0; b < 70; ++b) {
    const std::size_t i0 = 100 + b * 700 / 70, i1 = 100 + (b + 1) * 700 / 70;
    const auto [mn, mx] = std::minmax_element(rec.data[0].begin() + i0, rec.data[0].begin() + i1);
    EXPECT_NEAR(e["min"][1][b].get<double>(), *mn, 1e-5 * 10);
    EXPECT_NEAR(e["max"][1][b].get<double>(), *mx, 1e-5 * 10);
  }
  const json raw = qneuro::web::envelope_json(rec, 0.0, 0.5, 1000);
  EXPECT_FALSE(raw["decimated"].get<bool>());
  EXPECT_EQ(raw["min"][1].size(), 50u);
  EXPECT_EQ(raw["min"][1], raw["max"][1]);
  EXPECT_THROW((void)qneuro::web::envelope_json(rec, 0, 1, 10, {2}), qneuro::InputError);
}

TEST(WebRunData, AFieldRunHasTracesSpectraConnectivityAndDiagnostics) {
  qneuro::testing::TempDir dir;
  const auto cfg = qneuro::config::Config::resolve(qneuro::field::field_schema(), "test",
                                                   std::nullopt, {"output.snapshot_every=128"});
  qneuro::field::FieldRunOptions opt;
  opt.out = dir.path() / "run";
  const auto result = qneuro::field::simulate(cfg, opt);
  const json d = qneuro::web::run_data(opt.out, "run");
  EXPECT_EQ(d["schema"], "qneuro.web.run/1");
  EXPECT_EQ(d["engine"], "field");
  EXPECT_EQ(d["eeg"]["names"].size(), result.eeg.channels.size());
  EXPECT_EQ(d["eeg"]["n_samples"], result.eeg.n_samples());
  // The spectra are those of the run's own analysis (summary.json's band powers).
  const json& s = d["summary"];
  for (std::size_t c = 0; c < result.eeg.channels.size(); ++c) {
    for (std::size_t b = 0; b < d["analysis"]["bands"].size(); ++b) {
      const std::string band = d["analysis"]["bands"][b]["name"];
      EXPECT_NEAR(d["analysis"]["band_power"][c][b].get<double>(),
                  s["per_channel"][c]["band_power"][band].get<double>(),
                  1e-5 * std::abs(s["per_channel"][c]["band_power"][band].get<double>()));
    }
  }
  EXPECT_FALSE(d["analysis"]["pli"].is_null());
  EXPECT_FALSE(d["summary"]["connectivity"].contains("pli"));  // drawn from analysis, not twice
  EXPECT_EQ(d["diagnostics"]["norm"].size(), result.record.diagnostics.size());
  EXPECT_EQ(d["snapshots"]["data"].size(), result.record.snapshot_steps.size());
  EXPECT_FALSE(d["config_toml"].get<std::string>().empty());
  EXPECT_THROW((void)qneuro::web::run_data(dir.path(), "x"), qneuro::InputError);
}

TEST(WebReport, InlinesTheDataSoNoStringEndsTheScript) {
  const json data = {{"schema", "qneuro.web.run/1"},
                     {"title", "a <b> run"},
                     {"config_toml", "name = \"</script><script>alert(1)</script><!--\""}};
  const std::string html = qneuro::web::report_html(data);
  // Only the two closing tags of the report itself: the data one and the bundle's.
  EXPECT_EQ(count_of(html, "</script>"), 2u);
  EXPECT_EQ(count_of(html, "<!--"), 0u);
  EXPECT_NE(html.find("<title>qneuro report: a &lt;b&gt; run</title>"), std::string::npos);
  // The JSON between the tags parses back to the same data.
  const std::string open = "<script type=\"application/json\" id=\"qneuro-data\">";
  const std::size_t a = html.find(open) + open.size();
  const std::size_t b = html.find("</script>", a);
  EXPECT_EQ(json::parse(html.substr(a, b - a)), data);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);  // no network from the report
}

TEST(WebEventLog, ANewReaderGetsTheRunSoFarInOneEventPerKindThenEachNewEvent) {
  qneuro::web::EventLog log;
  log.push("meta", {{"a", 1}});
  log.push("snapshot", {{"i", 0}});
  log.push("samples", {{"start", 0}, {"data", {{1, 2}, {5, 6}}}});
  log.push("progress", {{"done", 1}});
  log.push("samples", {{"start", 2}, {"data", {{3}, {7}}}});
  log.push("diagnostics", {{"rows", json::array({json{{"step", 0}}})}});
  log.push("snapshot", {{"i", 1}});
  log.push("progress", {{"done", 2}});
  // A reader from the start (e.g. a page opened late).
  std::size_t cursor = 0;
  bool closed = true;
  EXPECT_EQ(log.wait(cursor, 10, closed),
            "event: meta\ndata: {\"a\":1}\n\n"
            "event: samples\ndata: {\"data\":[[1,2,3],[5,6,7]],\"start\":0}\n\n"
            "event: diagnostics\ndata: {\"rows\":[{\"step\":0}]}\n\n"
            "event: progress\ndata: {\"done\":2}\n\n"
            "event: snapshot\ndata: {\"i\":1}\n\n");
  EXPECT_FALSE(closed);
  // A reader that followed from the first event sees each event, but only the latest snapshot.
  std::size_t early = 0;
  log.wait(early, 10, closed);
  EXPECT_EQ(log.wait(cursor, 10, closed), "");  // timeout, nothing new
  log.push("done", {{"state", "completed"}});
  log.close();
  EXPECT_EQ(log.wait(cursor, 10, closed), "event: done\ndata: {\"state\":\"completed\"}\n\n");
  EXPECT_TRUE(closed);
  std::size_t late = 0;
  const std::string replay = log.wait(late, 10, closed);
  EXPECT_TRUE(closed);
  EXPECT_NE(replay.find("event: done"), std::string::npos);
}
