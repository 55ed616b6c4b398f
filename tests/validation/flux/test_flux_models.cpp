// The flux language models: parity of `faithful` with the documented equations (an independent
// scalar re-implementation below, on hand-built inputs), exact causality of `flux` and of the
// transformer, gradients for every parameter, checkpoint round trips, a training step with the
// output Hebbian rule, and determinism for a seed.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/flux/model.hpp"
#include "qneuro/flux/trainer.hpp"

namespace qneuro::flux {
namespace {

using torch::Tensor;
using Mat = std::vector<std::vector<double>>;

ModelParams small(ModelKind kind) {
  ModelParams p;
  p.kind = kind;
  p.embed_dim = 8;
  p.max_seq_length = 6;
  p.num_layers = 2;
  p.heads = 2;
  return p;
}

std::vector<double> values(const Tensor& t) {
  const Tensor c = t.contiguous().to(torch::kDouble);
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

/// The faithful model for one sequence, written out from the documented equations in double.
/// `C` holds each layer's [T_max, T_max] memory for this batch slot (updated in place).
std::vector<double> faithful_reference(LanguageModel& m, const std::vector<int64_t>& ids,
                                       std::vector<Mat>& C, double dt) {
  const ModelParams& p = m.params();
  const int64_t V = m.vocab(), D = p.embed_dim;
  const auto T = ids.size();
  std::vector<std::array<double, 2>> S(T);
  for (std::size_t t = 0; t < T; ++t) {
    const double th = 2 * std::numbers::pi * static_cast<double>(ids[t]) / static_cast<double>(V) +
                      std::numbers::pi / 4;
    const double rho = 0.5 + 0.5 * std::sin(th);
    S[t] = {rho * std::cos(th), rho * std::sin(th)};
  }
  auto score = [&](const std::vector<std::array<double, 2>>& X, Mat& Cl) {
    Mat A(T, std::vector<double>(T, 0.0));
    for (std::size_t i = 0; i < T; ++i) {
      std::vector<double> sim(T);
      double mu = 0;
      for (std::size_t j = 0; j < T; ++j) {
        sim[j] = (X[i][0] * X[j][0] + X[i][1] * X[j][1] + 1) / 2;
        mu += sim[j] / static_cast<double>(T);
      }
      double var = 0;
      for (std::size_t j = 0; j < T; ++j) var += (sim[j] - mu) * (sim[j] - mu);
      const double thr = mu + p.threshold_k * std::sqrt(var / static_cast<double>(T - 1));
      for (std::size_t j = 0; j < T; ++j) {
        const bool valid = sim[j] > thr && j <= i;
        const double s = valid ? std::clamp(sim[j], 0.0, 1.0) : 0.0;
        const double reinforce = valid && s > p.hebbian_min_score ? s : 0.0;
        Cl[i][j] = std::clamp(p.hebbian_decay * Cl[i][j] + p.hebbian_strength * reinforce,
                              -p.connection_clamp, p.connection_clamp);
        A[i][j] = std::clamp(s + p.hebbian_score_gain * Cl[i][j], 0.0, 1.0);
      }
    }
    return A;
  };
  auto apply = [&](const Mat& A, const std::vector<std::array<double, 2>>& X) {
    std::vector<std::array<double, 2>> Y(T, {0.0, 0.0});
    for (std::size_t i = 0; i < T; ++i) {
      for (std::size_t j = 0; j < T; ++j) {
        Y[i][0] += A[i][j] * X[j][0];
        Y[i][1] += A[i][j] * X[j][1];
      }
    }
    return Y;
  };
  std::vector<double> H(T * static_cast<std::size_t>(D));
  const auto named = m.named_parameters();
  for (int64_t l = 0; l < p.num_layers; ++l) {
    Mat& Cl = C[static_cast<std::size_t>(l)];
    const Mat A1 = score(S, Cl);
    const auto k1 = apply(A1, S);
    std::vector<std::array<double, 2>> S1(T);
    for (std::size_t t = 0; t < T; ++t) S1[t] = {S[t][0] + dt * k1[t][0], S[t][1] + dt * k1[t][1]};
    const Mat A2 = score(S1, Cl);
    const auto k2 = apply(A2, S1);
    const double lambda = 1 / (1 + std::exp(-p.skip_beta * (dt - p.dt_scale)));
    const std::string L = std::to_string(l);
    const auto W = values(named["proj" + L + ".weight"]), b = values(named["proj" + L + ".bias"]);
    const auto g = values(named["norm" + L + ".weight"]), be = values(named["norm" + L + ".bias"]);
    for (std::size_t t = 0; t < T; ++t) {
      double x = S[t][0] + 0.5 * dt * (k1[t][0] + k2[t][0]);
      double y = S[t][1] + 0.5 * dt * (k1[t][1] + k2[t][1]);
      double row = 0;
      for (std::size_t j = 0; j < T; ++j) row += A2[t][j];
      const double r = std::hypot(x, y);
      const double r_new = std::clamp(r + p.radius_update_rate * row, p.min_radius, p.max_radius);
      x *= r_new / std::max(r, p.epsilon);
      y *= r_new / std::max(r, p.epsilon);
      S[t] = {lambda * S[t][0] + (1 - lambda) * x, lambda * S[t][1] + (1 - lambda) * y};
      std::vector<double> z(static_cast<std::size_t>(D));
      double mean = 0;
      for (int64_t d = 0; d < D; ++d) {
        const auto k = static_cast<std::size_t>(d);
        z[k] = W[2 * k] * S[t][0] + W[2 * k + 1] * S[t][1] + b[k];
        mean += z[k] / static_cast<double>(D);
      }
      double var = 0;
      for (const double v : z) var += (v - mean) * (v - mean) / static_cast<double>(D);
      for (std::size_t k = 0; k < z.size(); ++k) {
        H[t * z.size() + k] = (z[k] - mean) / std::sqrt(var + 1e-5) * g[k] + be[k];
      }
    }
  }
  const auto Wo = values(named["out.weight"]), bo = values(named["out.bias"]);
  std::vector<double> logits(T * static_cast<std::size_t>(V));
  for (std::size_t t = 0; t < T; ++t) {
    for (int64_t v = 0; v < V; ++v) {
      double acc = bo[static_cast<std::size_t>(v)];
      for (int64_t d = 0; d < D; ++d) {
        acc += Wo[static_cast<std::size_t>(v * D + d)] *
               H[t * static_cast<std::size_t>(D) + static_cast<std::size_t>(d)];
      }
      logits[t * static_cast<std::size_t>(V) + static_cast<std::size_t>(v)] = acc;
    }
  }
  return logits;
}

TEST(FaithfulModel, MatchesTheDocumentedEquationsOnHandBuiltInputs) {
  torch::manual_seed(3);
  ModelParams p = small(ModelKind::Faithful);
  p.fixed_dt = 0.2;  // large enough that the flow and the memory matter
  const int64_t V = 5;
  auto m = make_model(p, V);
  const std::vector<std::vector<int64_t>> seqs = {{0, 1, 2, 3, 4}, {4, 4, 1, 0, 2}};
  const Tensor ids = torch::tensor({0, 1, 2, 3, 4, 4, 4, 1, 0, 2}, torch::kLong).reshape({2, 5});
  std::vector<std::vector<Mat>> C(2, std::vector<Mat>(2, Mat(6, std::vector<double>(6, 0.0))));
  for (int call = 0; call < 2; ++call) {  // the second call sees the memory of the first
    const ForwardResult r = m->forward(ids);
    for (std::size_t b = 0; b < 2; ++b) {
      const std::vector<double> ref = faithful_reference(*m, seqs[b], C[b], p.fixed_dt);
      const auto got = values(r.logits[static_cast<int64_t>(b)]);
      ASSERT_EQ(got.size(), ref.size());
      for (std::size_t i = 0; i < ref.size(); ++i) {
        EXPECT_NEAR(got[i], ref[i], 2e-5) << "call " << call << " batch " << b << " i " << i;
      }
    }
  }
}

TEST(FaithfulModel, SampledDtIsTheSeedsTinyStep) {
  torch::manual_seed(4);
  const ModelParams p = small(ModelKind::Faithful);
  auto m = make_model(p, 7);
  const Tensor ids = torch::randint(0, 7, {2, 6}, torch::kLong);
  const ForwardResult r = m->forward(ids, true);
  // dt ~ 2e-5: the flow barely turns the states (the angle moves by far less than 1e-3 rad);
  // only the radius rule moves them: by at most (1 - lambda) (rate T + min_radius) per layer
  // (scores are at most 1; radii below min_radius are lifted to it).
  for (std::size_t l = 1; l < r.states.size(); ++l) {
    const Tensor a = r.states[l - 1], b = r.states[l];
    const Tensor turn = (torch::atan2(b.select(2, 1), b.select(2, 0)) -
                         torch::atan2(a.select(2, 1), a.select(2, 0)))
                            .abs();
    EXPECT_LT(turn.max().item<double>(), 1e-3) << "layer " << l;
    const Tensor grow = (b.norm(2, -1) - a.norm(2, -1)).abs();
    EXPECT_LE(grow.max().item<double>(), 0.5 * (p.radius_update_rate * 6 + p.min_radius) + 1e-4)
        << "layer " << l;
  }
}

void expect_causal(const ModelParams& p) {
  const std::string kind = to_string(p.kind);
  torch::manual_seed(5);
  auto m = make_model(p, 11);
  m->eval();
  const Tensor a = torch::randint(0, 11, {3, 6}, torch::kLong);
  for (int64_t t = 0; t < 6; ++t) {
    Tensor b = a.clone();
    b.index_put_({torch::indexing::Slice(), t}, (a.index({torch::indexing::Slice(), t}) + 1) % 11);
    torch::NoGradGuard ng;
    const Tensor la = m->forward(a).logits, lb = m->forward(b).logits;
    if (t > 0) {
      EXPECT_TRUE(torch::equal(la.narrow(1, 0, t), lb.narrow(1, 0, t))) << kind << " t " << t;
    }
    EXPECT_FALSE(torch::equal(la.narrow(1, t, 1), lb.narrow(1, t, 1))) << kind << " t " << t;
  }
}

ModelParams small_radial(RadialStep radial) {
  ModelParams p = small(ModelKind::Flux);
  p.radial_step = radial;
  p.radial_alpha = 0.05;  // large enough that the step changes the logits visibly
  p.radial_potential = 0.5;
  return p;
}

TEST(FluxModel, ChangingTokenTChangesNoEarlierLogit) {
  expect_causal(small(ModelKind::Flux));
  expect_causal(small_radial(RadialStep::Diffusion));
  expect_causal(small_radial(RadialStep::Schrodinger));
}
TEST(TransformerModel, ChangingTokenTChangesNoEarlierLogit) {
  expect_causal(small(ModelKind::Transformer));
}

TEST(FaithfulModel, ThresholdStatisticsLeakTheFuture) {
  // The seed's threshold statistics run over all j: a later token changes earlier scores.
  torch::manual_seed(6);
  auto m = make_model(small(ModelKind::Faithful), 11);
  m->eval();
  const Tensor a = torch::randint(0, 11, {1, 6}, torch::kLong);
  Tensor b = a.clone();
  b.index_put_({0, 5}, (a.index({0, 5}) + 3) % 11);
  const ForwardResult ra = m->forward(a, true);
  torch::manual_seed(6);  // the same weights, and a fresh memory, for the second input
  auto m3 = make_model(small(ModelKind::Faithful), 11);
  m3->eval();
  const ForwardResult rb = m3->forward(b, true);
  EXPECT_FALSE(torch::equal(ra.scores[0].narrow(1, 0, 5), rb.scores[0].narrow(1, 0, 5)));
}

void expect_all_gradients(const ModelParams& p) {
  const std::string kind = to_string(p.kind);
  torch::manual_seed(7);
  auto m = make_model(p, 9);
  m->train();
  const Tensor ids = torch::randint(0, 9, {2, 6}, torch::kLong);
  (void)m->forward(ids);  // fills the flux Hebbian memory, so its gain has a gradient
  const ForwardResult r = m->forward(ids);
  r.logits.pow(2).mean().backward();
  for (const auto& kv : m->named_parameters()) {
    ASSERT_TRUE(kv.value().grad().defined()) << kind << " " << kv.key();
    EXPECT_GT(kv.value().grad().abs().sum().item<double>(), 0.0) << kind << " " << kv.key();
  }
}

TEST(FluxModel, EveryParameterGetsAGradient) {
  expect_all_gradients(small(ModelKind::Flux));
  expect_all_gradients(small_radial(RadialStep::Diffusion));
  expect_all_gradients(small_radial(RadialStep::Schrodinger));
}
TEST(TransformerModel, EveryParameterGetsAGradient) {
  expect_all_gradients(small(ModelKind::Transformer));
}

TEST(FluxModel, RadialStepsChangeTheLogitsAndOffIsTheHeunModel) {
  // The same weights with and without the radial part (it adds parameters but draws nothing
  // from the generator): off gives the plain model, diffusion and schrodinger differ from it and
  // from each other.
  const Tensor ids = torch::tensor({{1, 4, 2, 0, 3, 3}}, torch::kLong);
  auto logits = [&](const ModelParams& p) {
    torch::manual_seed(12);
    auto m = make_model(p, 5);
    m->eval();
    torch::NoGradGuard ng;
    return m->forward(ids).logits;
  };
  const Tensor off = logits(small(ModelKind::Flux)), off2 = logits(small_radial(RadialStep::Off));
  const Tensor diff = logits(small_radial(RadialStep::Diffusion));
  const Tensor schr = logits(small_radial(RadialStep::Schrodinger));
  EXPECT_TRUE(torch::equal(off, off2));
  EXPECT_GT((diff - off).abs().max().item<double>(), 1e-4);
  EXPECT_GT((schr - diff).abs().max().item<double>(), 1e-4);
  EXPECT_TRUE(torch::isfinite(schr).all().item<bool>());
}

TEST(FluxModel, StatesStayBoundedOverManySteps) {
  // The normalised scores make each Heun step a convex combination, and the radial part does
  // not increase the weighted norm: a long sequence of a repeated token does not blow up.
  for (const RadialStep radial : {RadialStep::Off, RadialStep::Schrodinger}) {
    torch::manual_seed(8);
    ModelParams p = small_radial(radial);
    p.max_seq_length = 256;
    auto m = make_model(p, 5);
    m->eval();
    const ForwardResult r = m->forward(torch::full({1, 256}, 2, torch::kLong), true);
    EXPECT_TRUE(torch::isfinite(r.logits).all().item<bool>()) << to_string(radial);
    EXPECT_LT(r.logits.abs().max().item<double>(), 100.0) << to_string(radial);
  }
}

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("qneuro_flux_test_" + name);
  std::filesystem::remove_all(d);
  return d;
}

TEST(Checkpoint, RoundTripGivesTheSameLogitsAndMemory) {
  for (const std::string variant : {"flux", "faithful", "transformer", "flux-schrodinger"}) {
    const bool radial = variant == "flux-schrodinger";
    const std::string kind = radial ? "flux" : variant;
    torch::manual_seed(9);
    std::vector<std::string> sets = {"model.embed_dim=8", "model.max_seq_length=6",
                                     "model.heads=2"};
    if (radial) sets.emplace_back("flux.radial_step=schrodinger");
    const std::string toml =
        config::Config::resolve(flux_schema(), kind, std::nullopt, sets).to_toml();
    const FluxConfig fc =
        flux_config_from(config::Config::resolve(flux_schema(), kind, std::nullopt, sets));
    const Tokenizer tok = Tokenizer::build(TokenizerKind::Char, "abcdefghij");
    Trainer trainer(make_model(fc.model, tok.vocab_size()), fc.train);
    std::vector<int64_t> ids;
    for (int i = 0; i < 200; ++i) ids.push_back(i * 7 % 10);
    for (int i = 0; i < 3; ++i) trainer.step(ids);
    const auto dir = temp_dir(variant);
    save_checkpoint(dir, trainer, tok, toml);
    const LoadedCheckpoint ck = load_checkpoint(dir);
    EXPECT_EQ(ck.history.step, 3);
    EXPECT_TRUE(ck.tokenizer == tok);
    const Tensor x = torch::tensor({1, 2, 3, 4, 5, 6}, torch::kLong).reshape({1, 6});
    trainer.model->eval();
    ck.model->eval();
    torch::NoGradGuard ng;
    torch::manual_seed(1);  // the faithful model draws dt from torch's generator
    const Tensor a = trainer.model->forward(x).logits;
    torch::manual_seed(1);
    EXPECT_TRUE(torch::equal(a, ck.model->forward(x).logits)) << variant;
    if (radial) {
      EXPECT_TRUE(ck.model->named_parameters().contains("layer0.integrator.log_potential"));
    }
    for (const auto& kv : trainer.model->named_buffers()) {
      EXPECT_TRUE(torch::equal(kv.value(), ck.model->named_buffers()[kv.key()])) << kv.key();
    }
    std::filesystem::remove_all(dir);
  }
}

TEST(Trainer, StepsWithTheOutputHebbianRuleRunAndChangeTheOutputWeights) {
  for (const ModelKind kind : {ModelKind::Faithful, ModelKind::Flux}) {
    torch::manual_seed(10);
    ModelParams p = small(kind);
    TrainParams tp;
    tp.batch = 2;
    tp.lr = 0.0;  // only the Hebbian rule moves the output weights
    tp.warmup = 0;
    Trainer trainer(make_model(p, 7), tp);
    const Tensor before = trainer.model->output_weight().clone();
    std::vector<int64_t> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(i * 3 % 7);
    EXPECT_NO_THROW(trainer.step(ids)) << to_string(kind);
    EXPECT_FALSE(torch::equal(before, trainer.model->output_weight())) << to_string(kind);
  }
}

TEST(Trainer, DeterministicForASeed) {
  auto run = [] {
    torch::manual_seed(11);
    TrainParams tp;
    tp.batch = 3;
    Trainer trainer(make_model(small(ModelKind::Flux), 7), tp);
    std::vector<int64_t> ids;
    for (int i = 0; i < 300; ++i) ids.push_back((i * i + 3 * i) % 7);
    std::vector<double> losses;
    for (int i = 0; i < 5; ++i) losses.push_back(trainer.step(ids).loss);
    return losses;
  };
  EXPECT_EQ(run(), run());
}

TEST(Evaluate, CountsEveryTargetOnceAndGivesBitsPerCharacter) {
  torch::manual_seed(12);
  auto m = make_model(small(ModelKind::Transformer), 4);
  const Tokenizer tok = Tokenizer::build(TokenizerKind::Char, "abcd");
  std::vector<int64_t> ids;
  for (int i = 0; i < 23; ++i) ids.push_back(i % 4);
  const EvalResult e = evaluate(*m, tok, ids, 6, 2);
  EXPECT_EQ(e.tokens, 22);
  EXPECT_EQ(e.characters, 22);
  EXPECT_NEAR(e.bits_per_char, e.nats_per_token / std::numbers::ln2, 1e-12);
}

TEST(Tokenizer, RoundTripsUtf8AndNamesUnknownCharacters) {
  const Tokenizer t = Tokenizer::build(TokenizerKind::Char, "héllo wörld");
  EXPECT_EQ(t.vocab_size(), 9);
  EXPECT_EQ(t.decode(t.encode("wörld héllo")), "wörld héllo");
  EXPECT_TRUE(Tokenizer::from_json(t.to_json()) == t);
  try {
    (void)t.encode("héllo?", "--prompt");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'?'"), std::string::npos) << e.what();
  }
}

TEST(Generate, RejectsTopKLargerThanTheVocabularyAndIsDeterministic) {
  torch::manual_seed(13);
  auto m = make_model(small(ModelKind::Flux), 5);
  EXPECT_THROW(generate(*m, {1, 2}, 3, 0.8, 6, 1), InputError);
  EXPECT_EQ(generate(*m, {1, 2}, 10, 0.8, 3, 1), generate(*m, {1, 2}, 10, 0.8, 3, 1));
  EXPECT_EQ(generate(*m, {1, 2}, 10, 0.8, 3, 1).size(), 10u);
}

}  // namespace
}  // namespace qneuro::flux

namespace qneuro::flux {
namespace {

TEST(FluxConfig, DocsKeyTableMatchesTheSchema) {
  std::ifstream in(std::string(QNEURO_SOURCE_DIR) + "/docs/flux.md");
  std::stringstream ss;
  ss << in.rdbuf();
  ASSERT_FALSE(ss.str().empty()) << "docs/flux.md is missing";
  std::istringstream rows(flux_schema().markdown());
  std::string row;
  while (std::getline(rows, row)) {
    EXPECT_NE(ss.str().find(row), std::string::npos)
        << "docs/flux.md lacks (regenerate with qneuro flux train --describe-config):\n"
        << row;
  }
}

TEST(FluxConfig, HeadsMustDivideTheWidthAndPairsMustBeWhole) {
  auto cfg = [](std::vector<std::string> sets) {
    return flux_config_from(config::Config::resolve(flux_schema(), "flux", std::nullopt, sets));
  };
  EXPECT_THROW(cfg({"model.heads=5"}), InputError);
  EXPECT_THROW(cfg({"model.embed_dim=12", "model.heads=4"}), InputError);  // d = 3 is odd
  EXPECT_NO_THROW(cfg({"model.embed_dim=12", "model.heads=3"}));
  // The radial steps need a profile of at least 2 pairs per head.
  EXPECT_THROW(cfg({"model.embed_dim=8", "model.heads=4", "flux.radial_step=diffusion"}),
               InputError);
  EXPECT_NO_THROW(cfg({"model.embed_dim=8", "model.heads=2", "flux.radial_step=diffusion"}));
  EXPECT_THROW(cfg({"flux.radial_step=heat"}), InputError);
  EXPECT_THROW(cfg({"flux.radial_alpha=0"}), InputError);
}

}  // namespace
}  // namespace qneuro::flux
