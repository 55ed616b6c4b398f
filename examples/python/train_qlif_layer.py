#!/usr/bin/env python3
"""Training a small spiking network with qneuro.torch.QLIFLayer and torch.optim.Adam.

The network classifies spike trains from two classes of random rate patterns: each of the 20
input channels fires with a probability per step drawn around a shared base rate, 6 points
higher in one class and 6 lower in the other, on a random half of the channels each (so every
sample is a noisy, overlapping pattern). The model is

    input spikes (T, B, 20) -> Linear -> QLIFLayer(32) -> Linear -> leaky membrane readout

where the QLIF layer runs the fused C++ kernel of ``qneuro snn`` in its default quantum mode
(spikes sampled from the one-qubit probability; straight-through gradient) and learns its
per-neuron thresholds V_th, q_scale and q_bias along with the weights. The readout integrates
the output currents v <- 0.8 v + W s and averages v over time: those are the logits.

Units: one step is 1 model time unit (neuron.dt); currents and thresholds in the model's "V";
the loss is the cross-entropy in nats.

    PYTHONPATH=build/python python3 examples/python/train_qlif_layer.py [OUT_DIR]

prints the loss as it falls and writes OUT_DIR/train_qlif_layer.png (loss and accuracy per
iteration, hidden spikes for one sample of each class after training).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from qneuro.torch import QLIFLayer  # noqa: E402  (imports PyTorch and qneuro._torch)

T, BATCH, N_IN, N_HIDDEN = 25, 32, 20, 32  # steps per sample, samples per step, neurons
ITERATIONS = 80
READOUT_DECAY = 0.8                         # membrane readout: v <- 0.8 v + W s


class RatePatterns:
    """Two classes of Bernoulli spike trains (T, B, N_IN) with class-specific rates."""

    def __init__(self, generator: torch.Generator):
        self.g = generator
        base = 0.1 + 0.3 * torch.rand(N_IN, generator=generator)        # P(spike) per step
        sign = torch.where(torch.rand(N_IN, generator=generator) < 0.5, -1.0, 1.0)
        self.rates = torch.stack([base + 0.06 * sign, base - 0.06 * sign])  # (2, N_IN)

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        labels = torch.randint(0, 2, (size,), generator=self.g)
        p = self.rates[labels]                                            # (B, N_IN)
        spikes = (torch.rand(T, size, N_IN, generator=self.g) < p).float()
        return spikes, labels


class SpikingClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(N_IN, N_HIDDEN)
        # Quantum mode (the default), membrane time constant tau = 5 steps; seed and layer key
        # the layer's random numbers (reproducible for any thread count).
        self.qlif = QLIFLayer(N_HIDDEN, tau=5.0, seed=1, layer=0)
        self.fc2 = nn.Linear(N_HIDDEN, 2)
        # Input weights large enough for a few active inputs to reach the threshold (1 V).
        nn.init.normal_(self.fc1.weight, 0.0, 1.0)
        nn.init.constant_(self.fc1.bias, 0.5)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # The layer carries its state between calls: start every batch from rest (and a new
        # episode of random numbers).
        self.qlif.reset()
        hidden = self.qlif(self.fc1(x))          # (T, B, N_HIDDEN) spikes 0/1
        current = self.fc2(hidden)               # (T, B, 2)
        v = torch.zeros_like(current[0])
        total = torch.zeros_like(current[0])
        for t in range(current.shape[0]):        # leaky, non-spiking readout membrane
            v = READOUT_DECAY * v + current[t]
            total = total + v
        return total / current.shape[0], hidden


def accuracy(model: SpikingClassifier, data: RatePatterns, n: int = 512) -> float:
    with torch.no_grad():
        x, y = data.batch(n)
        logits, _ = model(x)
        return (logits.argmax(1) == y).float().mean().item()


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    out_dir.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(0)                          # weights
    data = RatePatterns(torch.Generator().manual_seed(1))
    test = RatePatterns(torch.Generator().manual_seed(1))  # same patterns, other samples
    test.g.manual_seed(12345)
    model = SpikingClassifier()
    print(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)

    acc_before = accuracy(model, test)
    losses, accs = [], []
    start = time.monotonic()
    for it in range(ITERATIONS):
        x, y = data.batch(BATCH)
        logits, hidden = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()                           # BPTT through the QLIF kernel's adjoint
        optimizer.step()
        losses.append(loss.item())
        accs.append((logits.argmax(1) == y).float().mean().item())
        if it % 10 == 0 or it == ITERATIONS - 1:
            print(f"iteration {it:3d}  loss {loss.item():.4f} nats  batch accuracy "
                  f"{accs[-1]:.2f}  hidden rate {hidden.mean().item():.3f} spikes/step")
    seconds = time.monotonic() - start
    acc_after = accuracy(model, test)
    print(f"{ITERATIONS} Adam steps in {seconds:.2f} s; held-out accuracy {acc_before:.3f} "
          f"before, {acc_after:.3f} after training")
    print(f"learned thresholds V_th: mean {model.qlif.V_th.mean().item():.3f} V, "
          f"range [{model.qlif.V_th.min().item():.3f}, {model.qlif.V_th.max().item():.3f}] V (the "
          "effective threshold V_th + Theta is clamped to [0.5, 2] V)")

    # Hidden spikes for one sample of each class, after training.
    with torch.no_grad():
        x, y = test.batch(64)
        _, hidden = model(x)
    examples = [int((y == c).nonzero()[0]) for c in (0, 1)]

    fig = plt.figure(figsize=(10, 7))
    ax = fig.add_subplot(2, 1, 1)
    it = np.arange(ITERATIONS)
    ax.plot(it, losses, color="tab:blue", lw=1, label="batch loss")
    k = 5
    smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
    ax.plot(it[k - 1:], smooth, color="tab:blue", lw=2.5, alpha=0.6, label=f"{k}-step mean")
    ax.set_xlabel("Adam iteration")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_title(f"QLIFLayer classifier: held-out accuracy {acc_before:.2f} -> {acc_after:.2f}")
    ax2 = ax.twinx()
    ax2.plot(it, accs, color="tab:orange", lw=0.8, alpha=0.8, label="batch accuracy")
    ax2.set_ylabel("batch accuracy", color="tab:orange")
    ax2.set_ylim(0, 1.05)
    ax.legend(loc="center right")
    for i, b in enumerate(examples):
        a = fig.add_subplot(2, 2, 3 + i)
        tt, nn_ = np.nonzero(hidden[:, b, :].numpy())
        a.scatter(tt, nn_, marker="|", color="k", s=30)
        a.set_xlim(-0.5, T - 0.5)
        a.set_ylim(-1, N_HIDDEN)
        a.set_xlabel("step")
        a.set_ylabel("hidden neuron")
        a.set_title(f"hidden spikes, a class-{y[b].item()} sample ({len(tt)} spikes)")
    fig.tight_layout()
    png = out_dir / "train_qlif_layer.png"
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")

    # Fail loudly if training did not work (this example doubles as a smoke test).
    if not (np.mean(losses[-10:]) < 0.5 * np.mean(losses[:5])) or acc_after < 0.8:
        print("error: the loss did not fall as expected", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
