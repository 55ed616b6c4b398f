// Initial states of the neural field (never the uniform state, which is stationary):
//
// - gaussian:  psi = prod_a exp(-(x_a - c_a)^2 / (4 w_a^2) + i k0_a x_a)   (|psi|^2 has standard
//              deviation w_a per axis; k0 is the mean wave vector, group velocity 2 D k0)
// - box_modes: equal-weight sum of discrete Laplacian eigenvectors (grid.hpp) with mode numbers
//              (kx, ky, kr) from initial.modes, each normalised first
// - harmonic:  harmonic-oscillator eigenstates H_n(xi) exp(-xi^2/2), xi = (x - c) sqrt(omega/2D),
//              on every axis with omega > 0 (along r: sqrt(omega / (2 D sqrt(gamma_r))), the
//              oscillator of mass 1/(2 gamma_r); quantum numbers from the first entry of
//              initial.modes; a displaced ground state is a coherent state); axes with omega = 0
//              get the Gaussian profile above
// - noise:     complex white noise from Philox (seed, stream FieldInitial, entity = node index),
//              smoothed by a separable Gaussian filter of standard deviation w_a (boundary-aware:
//              wrapped on periodic axes, mirrored on Neumann, zero outside on Dirichlet)
// Every state is normalised so that sum |psi|^2 dV = 1 on the grid.
#pragma once

#include <complex>
#include <vector>

#include "qneuro/field/grid.hpp"
#include "qneuro/field/params.hpp"

namespace qneuro::field {

/// Builds the initial state (double precision, normalised). Throws InputError for a state that
/// vanishes on the grid (e.g. a packet far outside it).
std::vector<std::complex<double>> initial_state(const Grid& grid, const ModelParams& model,
                                                const InitialParams& initial);

/// Rescales psi so that sum |psi|^2 dV = 1; returns the previous norm.
double normalise(const Grid& grid, std::vector<std::complex<double>>& psi);

/// Physicists' Hermite polynomial H_n(x) by recurrence.
double hermite(int n, double x);

}  // namespace qneuro::field
