"""qneuro.torch.QLIFLayer: gradcheck in double (every mode), torch.optim, state_dict, state carried
between calls, reproducibility, and the same numbers as the population engine."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils import stateless

import qneuro
from qneuro.torch import QLIFLayer

T, B, N = 6, 2, 3


def spread(layer: QLIFLayer) -> None:
    with torch.no_grad():
        layer.V_th.add_(0.1 * torch.linspace(-1, 1, N, dtype=layer.V_th.dtype))
        layer.q_scale.mul_(1.0 + 0.2 * torch.linspace(-1, 1, N, dtype=layer.q_scale.dtype))
        layer.q_bias.add_(0.05 * torch.linspace(-1, 1, N, dtype=layer.q_bias.dtype))


@pytest.mark.parametrize("mode", ["deterministic", "stochastic", "quantum"])
def test_gradcheck_double_every_parameter(mode):
    torch.manual_seed(11)
    layer = QLIFLayer(N, mode=mode, tau=5.0, learn_tau=True, learn_eta=True,
                      surrogate_gradient_function="fast_sigmoid").double()
    spread(layer)
    # Fixed noise and uniforms and the relaxed (smooth) decision: finite differences exist.
    xi, u = layer.next_randoms(T, B, torch.float64)
    xi = torch.randn_like(xi)
    u = 0.05 + 0.9 * torch.rand_like(u)
    names = [n for n, _ in layer.named_parameters()]
    assert names == ["V_th", "tau", "eta", "q_scale", "q_bias"]

    def f(x, mod, *params):
        layer.reset()
        s, v = stateless.functional_call(layer, dict(zip(names, params)), (x, mod),
                                         {"return_voltage": True, "randoms": (xi, u),
                                          "relaxed": True})
        return s, v

    x = (0.6 + 1.4 * torch.rand(T, B, N, dtype=torch.float64)).requires_grad_()
    mod = torch.randn(T, B, N, dtype=torch.float64, requires_grad=True)
    params = [p.detach().clone().requires_grad_() for p in layer.parameters()]
    assert torch.autograd.gradcheck(f, (x, mod, *params), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_hard_forward_gradients_flow_to_every_learnable_parameter():
    layer = QLIFLayer(8, mode="quantum", learn_tau=True)
    x = torch.rand(10, 4, 8) * 3
    layer(x).sum().backward()
    for name, p in layer.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert layer.V_th.grad.abs().sum() > 0


def test_optimizer_step_and_state_dict_round_trip(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), QLIFLayer(8, tau=5.0, seed=3))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    before = model[1].V_th.detach().clone()
    x = torch.rand(12, 4, 5)
    for _ in range(3):
        model[1].reset()
        loss = model(x).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert not torch.equal(before, model[1].V_th)
    torch.save(model.state_dict(), tmp_path / "m.pt")
    other = torch.nn.Sequential(torch.nn.Linear(5, 8), QLIFLayer(8, tau=5.0, seed=3))
    other.load_state_dict(torch.load(tmp_path / "m.pt"))
    # Same parameters, same Philox key (seed, layer) and episode (number of resets): same spikes.
    model[1].reset()
    while other[1]._core.episode < model[1]._core.episode:
        other[1].reset()
    assert torch.equal(model(x), other(x))
    assert set(other.state_dict()) == {"0.weight", "0.bias", "1.V_th", "1.q_scale", "1.q_bias",
                                       "1.tau", "1.eta"}


def test_state_carried_between_calls_equals_one_call():
    x = torch.rand(40, 3, 16) * 2.5
    one = QLIFLayer(16, seed=9)
    whole, v_whole = one(x, return_voltage=True)
    two = QLIFLayer(16, seed=9)
    a, va = two(x[:15], return_voltage=True)
    assert two.time == 15 and two.state.shape == (3, 16, 9)
    b, vb = two(x[15:], return_voltage=True)
    assert torch.equal(torch.cat([a, b]), whole)
    assert torch.equal(torch.cat([va, vb]), v_whole)
    two.reset()
    assert two.state is None and two.time == 0
    with pytest.raises(qneuro.InputError, match="batch size changed"):
        two(x[:5])
        two(torch.rand(5, 2, 16))


def test_layer_spikes_equal_population_engine():
    """The layer and `qneuro snn` run the same update (qlif_step.hpp). Their random streams are
    keyed differently (a layer by (seed, layer, episode), a population by its seed), so the
    comparison uses the deterministic mode, where no random number enters."""
    rng = np.random.default_rng(1)
    inputs = (2.0 * rng.random((50, 2, 10))).astype(np.float32)
    pop = qneuro.snn.simulate(inputs, preset=None, mode="deterministic")
    layer = QLIFLayer(10, mode="deterministic").eval()
    with torch.no_grad():
        s, v = layer(torch.from_numpy(inputs), return_voltage=True)
    np.testing.assert_array_equal(s.numpy().astype(np.uint8), pop.spikes)
    np.testing.assert_allclose(v.numpy(), pop.voltage, rtol=0, atol=1e-5)


def test_bad_inputs_raise_input_error():
    layer = QLIFLayer(4)
    with pytest.raises(qneuro.InputError, match=r"\(T, B, N\) with N = 4"):
        layer(torch.rand(3, 2, 5))
    with pytest.raises(qneuro.InputError, match=r"\(T, B, N\)"):
        layer(torch.rand(3, 4))
    with pytest.raises(qneuro.InputError, match="dtype"):
        layer(torch.rand(3, 2, 4, dtype=torch.float64))
    with pytest.raises(qneuro.InputError, match="float and double"):
        layer.half()(torch.rand(3, 2, 4).half())
    with pytest.raises(qneuro.ConfigError, match="unknown neuron parameter 'taux'"):
        QLIFLayer(4, taux=3.0)
    with pytest.raises(qneuro.ConfigError, match="neuron.tau"):
        QLIFLayer(4, tau=-1.0)
    with pytest.raises(qneuro.InputError, match="at least one neuron"):
        QLIFLayer(0)


def test_non_contiguous_input_gives_the_same_spikes():
    x = torch.rand(20, 16, 3) * 2.5
    a = QLIFLayer(16, seed=2)(x.permute(0, 2, 1))
    b = QLIFLayer(16, seed=2)(x.permute(0, 2, 1).contiguous())
    assert torch.equal(a, b)


def test_deepcopy_and_pickling_rebuild_the_layer(tmp_path):
    import copy
    layer = QLIFLayer(6, mode="deterministic", tau=4.0, seed=5)
    with torch.no_grad():
        layer.V_th.fill_(0.8)
    x = torch.rand(12, 2, 6) * 2
    layer(x)  # carries a state now
    twin = copy.deepcopy(layer)
    assert twin.state is None and twin.mode == "deterministic"
    assert torch.equal(twin.V_th, layer.V_th)
    layer.reset()
    assert torch.equal(twin(x), layer(x))
    torch.save(layer, tmp_path / "layer.pt")
    loaded = torch.load(tmp_path / "layer.pt")
    loaded.reset()
    layer.reset()
    assert torch.equal(loaded(x), layer(x))
