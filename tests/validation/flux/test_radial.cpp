// The radial-diffusion and imaginary-time Schrodinger steps of the flux integrator against
// analytic solutions: the Neumann Bessel mode J0(j_11 r / R) decays at alpha (j_11 / R)^2 with
// second-order spatial convergence; Strang splitting converges at second order in tau to the
// exact exponential; imaginary time finds the 2-D harmonic oscillator's ground state
// exp(-omega r^2 / 2) and its energy omega; the propagators conserve mass (diffusion), do not
// increase the r-weighted norm, and have correct gradients. Then the integrator module: its
// Heun step as written, and the Strang split of a linear flow at second order.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/flux/integrator.hpp"
#include "qneuro/flux/radial.hpp"

namespace qneuro::flux {
namespace {

using torch::Tensor;

constexpr double kJ11 = 3.8317059702075123;  // first positive zero of J1

Tensor scalar(double x) {
  return torch::scalar_tensor(x, torch::kDouble);
}

/// sqrt(sum_k r_k u_k^2 dr), the disc norm / sqrt(2 pi) of a profile u [n] on [0, R].
double weighted_norm(const Tensor& u, double R) {
  const int64_t n = u.size(-1);
  const Tensor r = radial_centres(n, R);
  return std::sqrt((r * u * u).sum().item<double>() * R / static_cast<double>(n));
}

TEST(RadialLaplacian, IsExactForRSquaredAndConservesMass) {
  // Delta r^2 = 4 in 2-D; the finite-volume operator is exact for it up to the last cell, where
  // the zero-flux boundary (which r^2 does not satisfy) takes over.
  const int64_t n = 20;
  const double R = 2.0;
  const Tensor r = radial_centres(n, R);
  const Tensor L = radial_laplacian(n, R);
  const Tensor Lu = torch::matmul(L, r * r);
  for (int64_t k = 0; k + 1 < n; ++k) EXPECT_NEAR(Lu[k].item<double>(), 4.0, 1e-11) << k;
  // sum_k r_k (L u)_k = 0 for every u (no flux leaves the disc), and diag(r) L is symmetric
  // (self-adjoint in the r-weighted inner product).
  const Tensor rl = r.unsqueeze(1) * L;
  EXPECT_LT(torch::matmul(r, L).abs().max().item<double>(), 1e-10);
  EXPECT_LT((rl - rl.transpose(0, 1)).abs().max().item<double>(), 1e-10);
  EXPECT_THROW(radial_laplacian(1, 1.0), InputError);
  EXPECT_THROW(radial_laplacian(8, 0.0), InputError);
}

/// Max error of the CN-evolved Bessel mode after time t_end on n cells.
double bessel_mode_error(int64_t n, int steps) {
  const double R = 1.0, alpha = 0.7, t_end = 0.05, k = kJ11 / R;
  const Tensor r = radial_centres(n, R);
  std::vector<double> j0(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) j0[i] = std::cyl_bessel_j(0.0, k * r[i].item<double>());
  const Tensor mode = torch::tensor(j0, torch::kDouble);
  Tensor u = mode.clone();
  for (int s = 0; s < steps; ++s) u = radial_diffusion_step(u, alpha, t_end / steps, R);
  const Tensor exact = std::exp(-alpha * k * k * t_end) * mode;
  return (u - exact).abs().max().item<double>();
}

TEST(RadialDiffusion, BesselModeDecaysAtItsRateWithSecondOrderConvergence) {
  // Time steps shrink with the cells (dt ~ dr), so the combined error falls as dr^2.
  const double e16 = bessel_mode_error(16, 20), e32 = bessel_mode_error(32, 40),
               e64 = bessel_mode_error(64, 80);
  std::printf("Bessel mode max error n = 16, 32, 64: %.3e %.3e %.3e (ratios %.2f %.2f)\n", e16, e32,
              e64, e16 / e32, e32 / e64);
  EXPECT_LT(e64, 2e-4);
  EXPECT_GT(e16 / e32, 3.5);
  EXPECT_LT(e16 / e32, 4.6);
  EXPECT_GT(e32 / e64, 3.5);
  EXPECT_LT(e32 / e64, 4.6);
}

/// Max error of N Strang steps against exp(t (alpha L - V)) on the same grid.
double strang_error(int N) {
  const int64_t n = 24;
  const double R = 4.0, alpha = 0.5, t_end = 1.0;
  const Tensor L = radial_laplacian(n, R);
  const Tensor r = radial_centres(n, R);
  const Tensor V = 0.5 * r * r + torch::sin(3.0 * r);  // does not commute with L
  const Tensor u0 = torch::exp(-r) * (1.0 + r);
  const Tensor G = imaginary_time_propagator(L, scalar(alpha), V, scalar(t_end / N));
  Tensor u = u0.clone();
  for (int s = 0; s < N; ++s) u = apply_radial(G, u);
  const Tensor exact =
      torch::matmul(torch::linalg_matrix_exp(t_end * (alpha * L - torch::diag(V))), u0);
  return (u - exact).abs().max().item<double>();
}

TEST(ImaginaryTimeSchrodinger, StrangSplittingIsSecondOrderInTau) {
  const double e8 = strang_error(8), e16 = strang_error(16), e32 = strang_error(32);
  std::printf("Strang error N = 8, 16, 32: %.3e %.3e %.3e (ratios %.2f %.2f)\n", e8, e16, e32,
              e8 / e16, e16 / e32);
  EXPECT_GT(e8 / e16, 3.5);
  EXPECT_LT(e8 / e16, 4.5);
  EXPECT_GT(e16 / e32, 3.7);
  EXPECT_LT(e16 / e32, 4.3);
}

TEST(ImaginaryTimeSchrodinger, FindsTheHarmonicOscillatorGroundStateAndEnergy) {
  // H = -(1/2) Delta + (1/2) omega^2 r^2 in 2-D: ground state exp(-omega r^2 / 2), E0 = omega;
  // the next radially symmetric state has 3 omega, so imaginary time filters it out as e^{-2
  // omega tau}.
  for (const double omega : {1.0, 2.5}) {
    const int64_t n = 256;
    const double R = 8.0 / std::sqrt(omega), tau = 0.002, alpha = 0.5;
    const Tensor r = radial_centres(n, R);
    const Tensor V = 0.5 * omega * omega * r * r;
    // The step the seed names, once, then its propagator for the rest (the same matrix).
    const Tensor G =
        imaginary_time_propagator(radial_laplacian(n, R), scalar(alpha), V, scalar(tau));
    Tensor psi = torch::ones({n}, torch::kDouble);  // overlaps the ground state
    EXPECT_TRUE(torch::allclose(imaginary_time_schrodinger_step(psi, alpha, V, tau, R),
                                apply_radial(G, psi), 1e-14, 1e-14));
    double energy = 0;
    for (int s = 0; s < 6000; ++s) {
      const Tensor next = apply_radial(G, psi);
      energy = -std::log(weighted_norm(next, R) / weighted_norm(psi, R)) / tau;
      psi = next / weighted_norm(next, R);
    }
    Tensor ground = torch::exp(-0.5 * omega * r * r);
    ground = ground / weighted_norm(ground, R);
    std::printf("harmonic oscillator omega %.1f: E0 %.7f, max profile error %.2e\n", omega, energy,
                (psi - ground).abs().max().item<double>());
    EXPECT_NEAR(energy, omega, 2e-4 * omega) << "omega " << omega;
    EXPECT_LT((psi - ground).abs().max().item<double>(), 1e-3 * ground.max().item<double>())
        << "omega " << omega;
  }
}

TEST(RadialPropagators, ConserveMassAndDoNotIncreaseTheWeightedNorm) {
  torch::manual_seed(3);
  const int64_t n = 12;
  const double R = 1.0;
  const Tensor L = radial_laplacian(n, R);
  const Tensor r = radial_centres(n, R);
  for (const double a : {1e-3, 0.1, 10.0, 1e4}) {
    const Tensor u = torch::randn({5, n}, torch::kDouble);
    const Tensor D = apply_radial(radial_diffusion_propagator(L, scalar(a), scalar(1.0)), u);
    const Tensor mass_before = torch::matmul(u, r), mass_after = torch::matmul(D, r);
    EXPECT_LT((mass_before - mass_after).abs().max().item<double>(), 1e-9) << a;
    const Tensor V = torch::rand({n}, torch::kDouble) * 5.0;
    const Tensor S = apply_radial(imaginary_time_propagator(L, scalar(a), V, scalar(0.7)), u);
    for (int64_t b = 0; b < 5; ++b) {
      EXPECT_LE(weighted_norm(D[b], R), weighted_norm(u[b], R) * (1 + 1e-12)) << a;
      EXPECT_LE(weighted_norm(S[b], R), weighted_norm(u[b], R) * (1 + 1e-12)) << a;
    }
  }
}

TEST(RadialPropagators, PerHeadPropagatorsEqualTheSingleOnes) {
  torch::manual_seed(4);
  const int64_t n = 6, h = 3;
  const Tensor L = radial_laplacian(n, 1.0);
  const Tensor alpha = torch::rand({h}, torch::kDouble) + 0.1;
  const Tensor V = torch::rand({h, n}, torch::kDouble);
  const Tensor G = imaginary_time_propagator(L, alpha, V, scalar(0.3));
  const Tensor u = torch::randn({2, 4, h, n}, torch::kDouble);
  const Tensor batched = apply_radial(G, u);
  for (int64_t i = 0; i < h; ++i) {
    const Tensor Gi = imaginary_time_propagator(L, alpha[i], V[i], scalar(0.3));
    EXPECT_TRUE(torch::allclose(G[i], Gi, 1e-13, 1e-13)) << i;
    const Tensor ui = u.select(2, i);
    EXPECT_TRUE(torch::allclose(batched.select(2, i), apply_radial(Gi, ui), 1e-13, 1e-13)) << i;
  }
}

TEST(RadialPropagators, GradientsMatchFiniteDifferences) {
  torch::manual_seed(5);
  const int64_t n = 7;
  const Tensor L = radial_laplacian(n, 1.0);
  const Tensor u = torch::randn({3, n}, torch::kDouble);
  const Tensor w = torch::randn({3, n}, torch::kDouble);
  Tensor alpha = scalar(0.4).requires_grad_(true);
  Tensor tau = scalar(0.6).requires_grad_(true);
  Tensor V = (torch::rand({n}, torch::kDouble) + 0.2).requires_grad_(true);
  auto loss = [&](const Tensor& a, const Tensor& v, const Tensor& t) {
    return (w * apply_radial(imaginary_time_propagator(L, a, v, t), u)).sum();
  };
  loss(alpha, V, tau).backward();
  const double h = 1e-6;
  torch::NoGradGuard ng;
  auto central = [&](const Tensor& x, const std::function<double(const Tensor&)>& f) {
    return (f(x + h) - f(x - h)) / (2 * h);
  };
  EXPECT_NEAR(
      alpha.grad().item<double>(),
      central(alpha.detach(),
              [&](const Tensor& a) { return loss(a, V.detach(), tau.detach()).item<double>(); }),
      1e-7);
  EXPECT_NEAR(
      tau.grad().item<double>(),
      central(tau.detach(),
              [&](const Tensor& t) { return loss(alpha.detach(), V.detach(), t).item<double>(); }),
      1e-7);
  for (int64_t k = 0; k < n; ++k) {
    Tensor vp = V.detach().clone(), vm = V.detach().clone();
    vp[k] += h;
    vm[k] -= h;
    const double fd = (loss(alpha.detach(), vp, tau.detach()).item<double>() -
                       loss(alpha.detach(), vm, tau.detach()).item<double>()) /
                      (2 * h);
    EXPECT_NEAR(V.grad()[k].item<double>(), fd, 1e-7) << k;
  }
}

ModelParams integrator_params(RadialStep radial, int64_t pairs) {
  ModelParams p;
  p.embed_dim = 2 * pairs;
  p.heads = 1;
  p.radial_step = radial;
  p.radial_alpha = 0.3;
  p.radial_potential = 0.5;
  return p;
}

/// An integrator in double with its Laplacian rebuilt in double and dt set to `dt`.
HeunIntegrator integrator_in_double(const ModelParams& p, double dt) {
  HeunIntegrator m(p);
  m->to(torch::kDouble);
  torch::NoGradGuard ng;
  m->dt_logit.fill_(std::log(dt / (1 - dt)));
  if (m->laplacian.defined()) {
    m->laplacian.copy_(radial_laplacian(p.embed_dim / p.heads / 2, 1.0));
  }
  return m;
}

TEST(HeunIntegrator, WithoutTheRadialPartIsTheHeunStep) {
  torch::manual_seed(6);
  const ModelParams p = integrator_params(RadialStep::Off, 3);
  auto m = integrator_in_double(p, 0.3);
  const Tensor X = torch::randn({2, 1, 5, 6}, torch::kDouble);
  const Tensor M = torch::randn({6, 6}, torch::kDouble);
  auto flow = [&](const Tensor& Y) { return torch::tanh(torch::matmul(Y, M)); };
  const Tensor k1 = flow(X), k2 = flow(X + 0.3 * k1);
  const Tensor expected = X + 0.15 * (k1 + k2);
  EXPECT_TRUE(torch::allclose(m->forward(X, flow), expected, 1e-12, 1e-12));
}

TEST(HeunIntegrator, EulerIsOneExplicitStepWithOneEvaluationOfTheFlow) {
  torch::manual_seed(6);
  ModelParams p = integrator_params(RadialStep::Off, 3);
  p.integrator = FlowIntegrator::Euler;
  auto m = integrator_in_double(p, 0.3);
  const Tensor X = torch::randn({2, 1, 5, 6}, torch::kDouble);
  const Tensor M = torch::randn({6, 6}, torch::kDouble);
  int evaluations = 0;
  auto flow = [&](const Tensor& Y) {
    ++evaluations;
    return torch::tanh(torch::matmul(Y, M));
  };
  const Tensor expected = X + 0.3 * torch::tanh(torch::matmul(X, M));
  EXPECT_TRUE(torch::allclose(m->forward(X, flow), expected, 1e-12, 1e-12));
  EXPECT_EQ(evaluations, 1);
  // Strang-split with a radial part it still evaluates the flow once.
  p.radial_step = RadialStep::Diffusion;
  auto r = integrator_in_double(p, 0.3);
  evaluations = 0;
  (void)r->forward(X, flow);
  EXPECT_EQ(evaluations, 1);
}

TEST(HeunIntegrator, WithoutAFlowAppliesTheRadialPropagatorTwiceForHalfSteps) {
  torch::manual_seed(7);
  for (const RadialStep radial : {RadialStep::Diffusion, RadialStep::Schrodinger}) {
    const ModelParams p = integrator_params(radial, 4);
    auto m = integrator_in_double(p, 0.4);
    const Tensor X = torch::randn({2, 1, 3, 8}, torch::kDouble);
    const Tensor Y = m->forward(X, [](const Tensor& Z) { return torch::zeros_like(Z); });
    // Pair profiles of the x parts and the y parts, each evolved by G(dt/2)^2.
    torch::NoGradGuard ng;
    const Tensor G = m->radial_propagator(torch::full({1}, 0.2, torch::kDouble))[0];
    const Tensor G2 = torch::matmul(G, G);
    const Tensor pairs = X.reshape({2, 1, 3, 4, 2});
    const Tensor expected =
        torch::stack({apply_radial(G2, pairs.select(-1, 0)), apply_radial(G2, pairs.select(-1, 1))},
                     -1)
            .reshape({2, 1, 3, 8});
    EXPECT_TRUE(torch::allclose(Y, expected, 1e-12, 1e-12)) << to_string(radial);
  }
}

/// Max error of N integrator steps of dX/dt = M X - H X against the exact exponential.
double split_error(int N) {
  torch::manual_seed(8);
  const int64_t P = 5, d = 2 * P;
  const double t_end = 1.0, dt = t_end / N;
  const ModelParams p = integrator_params(RadialStep::Schrodinger, P);
  auto m = integrator_in_double(p, dt);
  const Tensor M = 0.5 * torch::randn({d, d}, torch::kDouble);
  const Tensor X0 = torch::randn({1, 1, 1, d}, torch::kDouble);
  auto flow = [&](const Tensor& Y) { return torch::matmul(Y, M.transpose(0, 1)); };
  torch::NoGradGuard ng;
  Tensor X = X0;
  for (int s = 0; s < N; ++s) X = m->forward(X, flow);
  // H on the d-vector: (H psi) for the x parts and the y parts alike, pair p at index 2p + c.
  const Tensor alpha = m->log_alpha.exp()[0];
  const Tensor V = m->log_potential.exp()[0];
  const Tensor H = -alpha * m->laplacian + torch::diag(V);
  const Tensor Hd = torch::kron(H, torch::eye(2, torch::kDouble));
  const Tensor exact = torch::matmul(torch::linalg_matrix_exp(t_end * (M - Hd)), X0.reshape({d}));
  return (X.reshape({d}) - exact).abs().max().item<double>();
}

TEST(HeunIntegrator, StrangSplitOfALinearFlowIsSecondOrder) {
  const double e10 = split_error(10), e20 = split_error(20), e40 = split_error(40);
  std::printf("Heun-Strang error N = 10, 20, 40: %.3e %.3e %.3e (ratios %.2f %.2f)\n", e10, e20,
              e40, e10 / e20, e20 / e40);
  EXPECT_GT(e10 / e20, 3.5);
  EXPECT_LT(e10 / e20, 4.6);
  EXPECT_GT(e20 / e40, 3.7);
  EXPECT_LT(e20 / e40, 4.3);
}

}  // namespace
}  // namespace qneuro::flux
