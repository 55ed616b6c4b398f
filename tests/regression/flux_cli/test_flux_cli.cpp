// `qneuro flux train | eval | generate | bench` end to end on a small generated text (no shared
// data needed): outputs and schemas, eval agrees with training's held-out figure, resume, and
// bad input exits 2 naming the problem.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "qneuro/io/hdf5.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

using testing::quote_path;
using testing::read_json;
using testing::run_qneuro;
using testing::shell_quote;
using testing::TempDir;

/// A repetitive text with some structure: ~6 k characters of a small vocabulary.
std::filesystem::path write_text(const std::filesystem::path& dir) {
  const auto path = dir / "text.txt";
  std::ofstream out(path);
  const char* words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat, ", "and ", "dog\n"};
  for (int i = 0; i < 1200; ++i) out << words[(i * 5 + i / 7) % 8];
  return path;
}

TEST(FluxCli, TrainEvalGenerateAndResume) {
  TempDir tmp;
  const auto text = write_text(tmp.path());
  const auto out = tmp.path() / "run";
  auto r = run_qneuro("flux train -q --preset test --text " + quote_path(text) + " --out " +
                      quote_path(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out / "summary.json");
  EXPECT_EQ(s["schema"], "qneuro.flux.train/1");
  EXPECT_EQ(s["steps"], 20);
  const double bpc = s["bits_per_char"].get<double>();
  EXPECT_GT(bpc, 0.0);
  EXPECT_LT(bpc, 8.0);
  EXPECT_TRUE(std::filesystem::exists(out / "checkpoint" / "checkpoint.json"));
  {
    io::H5File h5 = io::H5File::open_read(out / "viz.h5");
    EXPECT_TRUE(h5.exists("states"));
    EXPECT_TRUE(h5.exists("scores"));
    EXPECT_TRUE(h5.exists("train/loss"));
    EXPECT_TRUE(h5.exists("eval/bits_per_char"));
  }
  // eval on the held-out part of the text gives training's final figure.
  std::ifstream in(text);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto held = tmp.path() / "held.txt";
  std::ofstream(held) << all.substr(all.size() - s["tokens"]["held_out"].get<std::size_t>());
  const auto eval_out = tmp.path() / "eval";
  r = run_qneuro("flux eval --checkpoint " + quote_path(out) + " --text " + quote_path(held) +
                 " --out " + quote_path(eval_out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto e = read_json(eval_out / "summary.json");
  EXPECT_EQ(e["schema"], "qneuro.flux.eval/1");
  EXPECT_NEAR(e["bits_per_char"].get<double>(), bpc, 1e-6 * bpc);
  EXPECT_GT(e["tokens"].get<int64_t>(), 0);
  EXPECT_GT(e["nats_per_token"].get<double>(), 0.0);
  // generate: deterministic for a seed
  const std::string gen =
      "flux generate --checkpoint " + quote_path(out) + " --prompt 'the cat' --tokens 30 --seed 4";
  const auto g1 = run_qneuro(gen), g2 = run_qneuro(gen);
  ASSERT_EQ(g1.exit_code, 0) << g1.output;
  EXPECT_EQ(g1.output, g2.output);
  EXPECT_EQ(g1.output.rfind("the cat", 0), 0u) << g1.output;
  // resume with a larger budget continues from step 20
  r = run_qneuro("flux train -q --preset test --set train.steps=30 --resume --text " +
                 quote_path(text) + " --out " + quote_path(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_json(out / "summary.json")["steps"], 30);
}

TEST(FluxCli, BadInputExitsTwoNamingTheProblem) {
  TempDir tmp;
  const auto text = write_text(tmp.path());
  const auto out = tmp.path() / "run";
  ASSERT_EQ(run_qneuro("flux train -q --preset test --text " + quote_path(text) + " --out " +
                       quote_path(out))
                .exit_code,
            0);
  const auto empty = tmp.path() / "empty.txt";
  std::ofstream(empty).close();
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"flux train -q --preset test --out " + quote_path(tmp.path() / "x"), "--text"},
      {"flux train -q --preset test --text " + quote_path(tmp.path() / "missing.txt"),
       "no such file"},
      {"flux train -q --preset test --text " + quote_path(empty), "empty"},
      {"flux train -q --preset test --set model.embd_dim=8 --text " + quote_path(text), "embd_dim"},
      {"flux train -q --preset transformer --resume --text " + quote_path(text) + " --out " +
           quote_path(out),
       "flux model"},
      {"flux eval --checkpoint " + quote_path(tmp.path()) + " --text " + quote_path(text),
       "not a flux checkpoint"},
      {"flux generate --checkpoint " + quote_path(out) + " --prompt 'the cat?'", "'?'"},
      {"flux generate --checkpoint " + quote_path(out) + " --prompt the --top-k 1000", "top-k"},
  };
  for (const Case& c : cases) {
    const auto r = run_qneuro(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(FluxCli, BenchPrintsOneLinePerModelAndLength) {
  // Two radial variants of flux, one line each for the other kinds.
  const auto r =
      run_qneuro("flux bench --lengths 16 --steps 1 --batch 2 --radial off,schrodinger");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  int lines = 0, radial = 0;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    const auto j = nlohmann::json::parse(line);
    EXPECT_GT(j["train_tokens_per_s"].get<double>(), 0.0);
    EXPECT_GT(j["inference_tokens_per_s"].get<double>(), 0.0);
    if (j.contains("radial_step") && j["radial_step"] == "schrodinger") ++radial;
    ++lines;
  }
  EXPECT_EQ(lines, 4);
  EXPECT_EQ(radial, 1);
  const auto bad = run_qneuro("flux bench --lengths 16 --steps 1 --radial heat");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("heat"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace qneuro
