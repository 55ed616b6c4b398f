"""QLIFLayer: quantum leaky integrate-and-fire neurons as a ``torch.nn.Module``.

The forward pass is the fused, vectorised C++ kernel of ``qneuro snn`` (float32) or its scalar
double-precision driver (same equations, for ``torch.autograd.gradcheck``); the backward pass is
the hand-written reverse-time adjoint with surrogate gradients (deterministic mode) or the
straight-through estimator (stochastic and quantum modes). It keeps 5 bytes per neuron-step for
the backward (the input and the spike byte) instead of autograd's whole graph. docs/snn-train.md
states the equations; docs/python.md the API.

Importing this module imports PyTorch (``import qneuro`` alone does not).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from . import _common, _core, _torch_loader

_ext = _torch_loader.module()
_NEURON_KEYS = [k for k in _ext.config_keys("train")
                if k.split(".", 1)[0] in ("neuron", "mode", "quantum", "neuromod", "compat")]


class QLIFLayer(nn.Module):
    """A layer of ``n_neurons`` QLIF neurons: input current (T, B, N) → spikes (T, B, N).

    Args:
        n_neurons: N.
        learn_threshold, learn_qscale, learn_qbias: per-neuron V_th, q_scale, q_bias are
            ``nn.Parameter`` (True, the default) or buffers.
        learn_tau, learn_eta: the scalar membrane time constant tau and the noise eta are
            parameters (default False: buffers).
        seed, layer: the Philox key of the layer's random numbers (distinct ``layer`` per layer
            of a network); numbers are keyed by (seed, layer, episode, t, b, n), so runs are
            reproducible for any thread count.
        **params: the neuron's keys (``qneuro.describe_config("train")``, sections neuron,
            quantum, neuromod, compat and ``mode``), by last name or with ``__``:
            ``mode="deterministic"``, ``tau=5.0``, ``surrogate_gradient_function="fast_sigmoid"``,
            ``quantum__map="tanh"``, ``quantum__p0=0.02``. Defaults are the engine's.

    forward(input, modulation=None, return_voltage=False):
        input: float32 or float64 tensor (T, B, N) on the CPU, of the layer's dtype (convert the
        layer with ``.double()`` for double). modulation (optional): (T, B or 1, N or 1), (T, N)
        or (T) neuromodulator level. Returns the spikes (0/1, carrying the surrogate
        gradient), or (spikes, voltage) with return_voltage=True.

    State: carried between calls, so a long sequence can be fed in pieces (the gradient does
    not flow across calls); ``reset()`` returns every neuron to its initial state and starts a
    new episode of random numbers. The batch size is fixed until the next ``reset()``.
    ``train()``/``eval()``: spike sampling stays stochastic in evaluation except with the compat
    switch eval_threshold_half.
    """

    def __init__(self, n_neurons: int, *, learn_threshold: bool = True, learn_tau: bool = False,
                 learn_eta: bool = False, learn_qscale: bool = True, learn_qbias: bool = True,
                 seed: int = 0, layer: int = 0, **params: Any):
        super().__init__()
        for name in params:
            key = _common.resolve_key(name, _NEURON_KEYS)
            if key not in _NEURON_KEYS:
                raise _core.ConfigError(f"QLIFLayer: unknown neuron parameter '{name}'; the "
                                        f"keys are {', '.join(_NEURON_KEYS)}")
        _, _, sets = _common.config_arguments(None, params, _NEURON_KEYS, None, "QLIFLayer")
        self.n_neurons = int(n_neurons)
        self._core_args = (self.n_neurons, sets, int(seed), int(layer))
        self._core = _ext.QLIFCore(*self._core_args)
        self._params = dict(params)
        self.seed, self.layer = int(seed), int(layer)
        init = self._core.initial()
        n = self.n_neurons

        def add(name: str, value: torch.Tensor, learnable: bool) -> None:
            if learnable:
                self.register_parameter(name, nn.Parameter(value))
            else:
                self.register_buffer(name, value)

        add("V_th", torch.full((n,), init["V_th"]), learn_threshold)
        add("tau", torch.tensor(init["tau"], dtype=torch.float32), learn_tau)
        add("eta", torch.tensor(init["eta"], dtype=torch.float32), learn_eta)
        add("q_scale", torch.full((n,), init["q_scale"]), learn_qscale)
        add("q_bias", torch.full((n,), init["q_bias"]), learn_qbias)

    def __getstate__(self):
        # copy.deepcopy and torch.save(model) pickle the module: the C++ core is rebuilt from
        # its arguments, and the copy starts from the initial state (as after reset()).
        state = self.__dict__.copy()
        state["_core"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._core = _ext.QLIFCore(*self._core_args)

    @property
    def mode(self) -> str:
        """"deterministic", "stochastic" or "quantum"."""
        return self._core.mode

    @property
    def state(self) -> torch.Tensor | None:
        """The carried state (B, N, 9): V, A, E, H, R, D, Theta, m, s_prev (None after reset)."""
        return self._core.state

    @property
    def time(self) -> int:
        """Steps since the last reset()."""
        return self._core.time

    def reset(self) -> None:
        """Initial state, t = 0, a new episode of random numbers."""
        self._core.reset()

    def forward(self, input: torch.Tensor, modulation: torch.Tensor | None = None,
                return_voltage: bool = False, randoms: tuple | None = None,
                relaxed: bool = False):
        xi = u = None
        if randoms is not None:
            xi, u = randoms
        spikes, voltage = self._core.forward(self.V_th, self.tau, self.eta, self.q_scale,
                                             self.q_bias, input, modulation, self.training, xi, u,
                                             relaxed)
        return (spikes, voltage) if return_voltage else spikes

    def next_randoms(self, T: int, B: int, dtype: torch.dtype = torch.float32):
        """The Philox numbers the next forward of shape (T, B) would use: xi (T, B, N) and
        u (K, T, B, N). Pass them (possibly with relaxed=True, which replaces the hard spike
        decision by its smooth counterpart) as ``forward(..., randoms=(xi, u))`` for
        finite-difference gradient checks."""
        return self._core.next_randoms(int(T), int(B), dtype == torch.float64)

    def extra_repr(self) -> str:
        extra = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self.n_neurons}, mode={self.mode}" + (f", {extra}" if extra else "")


def rate_encode(x: torch.Tensor, ids, episode: int = 0, seed: int = 1, gain: float = 1.0,
                steps: int = 20) -> torch.Tensor:
    """The rate code of ``qneuro snn train``: input spikes (steps, B, F), each 1 with
    probability min(1, gain x) at every step, from the Philox stream keyed by (seed, episode,
    step, ids[b], feature); so a sample's code depends on the seed, the episode (e.g. the epoch)
    and its dataset index ``ids[b]``, not on the batch it lands in, and equals the CLI's.
    x: float32 (B, F) in [0, 1] on the CPU; ids: B sample indices."""
    ids = [int(i) for i in (ids.tolist() if hasattr(ids, "tolist") else ids)]
    return _ext.rate_encode(x, ids, int(episode), int(seed), float(gain), int(steps))
