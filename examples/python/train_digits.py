"""A 2-layer spiking classifier in plain PyTorch with qneuro.torch.QLIFLayer, on the 8x8 digits.

    pixels x in [0, 1]^64 --rate code--> spikes (T, B, 64) --Linear--> QLIFLayer (128)
        --Linear--> membrane readout (a leaky integrator, logits = sum_t w_t I_t) --> 10 classes

The same network, hyper-parameters and schedule as ``qneuro snn train --preset default``
(docs/snn-train.md): T = 20 steps, quantum QLIF neurons (tau = 5, fast-sigmoid surrogate),
Adam lr 0.02 with a cosine schedule, batch 64, 30 epochs; rows 1-1500 train, 1501-1797 test.
The rate code is the CLI's (qneuro.torch.rate_encode: Philox keyed by seed, epoch, sample index
and pixel), so both see the same input spikes; weight initialisation and shuffling use torch's
generator here and the C++ one there, so accuracies agree statistically, not bit for bit.

    /usr/bin/python3 train_digits.py [DIGITS_CSV_GZ] [--epochs N] [--json]

DIGITS_CSV_GZ defaults to ../shared/data/digits.csv.gz, else the identical file Debian's
python3-sklearn ships (sklearn/datasets/data/digits.csv.gz).

Prints the test accuracy after every epoch and the time per epoch (training and the test
evaluation, as the CLI's summary.json counts it); --json prints a final JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

import qneuro
from qneuro.torch import QLIFLayer, rate_encode

EVAL_EPISODE = 0xFFFFFFFF  # the fixed encoding episode of evaluation, as the CLI


def load_digits(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.float32)
    x = torch.from_numpy(rows[:, :64] / rows[:, :64].max())  # data.scale = 0: the file's maximum
    y = torch.from_numpy(rows[:, 64].astype(np.int64))
    return x, y


def layer_kwargs(cfg: dict) -> dict:
    """The neuron keys of a resolved `train` config as QLIFLayer keyword arguments."""
    kw = {f"neuron__{k}": v for k, v in cfg["neuron"].items()}
    kw["mode"] = cfg["mode"]
    for section in ("quantum", "neuromod", "compat"):
        kw.update({f"{section}__{k}": v for k, v in cfg[section].items()})
    # learn.* flags map to the layer's learn_* switches
    for k, v in cfg["learn"].items():
        kw[f"learn_{k}"] = v
    return kw


class SpikingClassifier(torch.nn.Module):
    def __init__(self, cfg: dict, features: int, classes: int):
        super().__init__()
        m = cfg["model"]
        self.steps, self.gain, self.seed = m["steps"], m["rate_gain"], cfg["train"]["seed"]
        self.fc1 = torch.nn.Linear(features, m["hidden"])
        self.hidden = QLIFLayer(m["hidden"], seed=cfg["train"]["seed"], layer=0, **layer_kwargs(cfg))
        self.fc2 = torch.nn.Linear(m["hidden"], classes)
        beta = math.exp(-1.0 / m["readout_tau"])
        T = self.steps
        w = [sum(beta ** (t - s) for t in range(s, T)) * (1 - beta) / T for s in range(T)]
        self.register_buffer("readout_weights", torch.tensor(w))

    def forward(self, x: torch.Tensor, ids: torch.Tensor, episode: int) -> torch.Tensor:
        spikes_in = rate_encode(x, ids, episode, self.seed, self.gain, self.steps)
        self.hidden.reset()
        h = self.hidden(self.fc1(spikes_in))
        return torch.tensordot(self.readout_weights, self.fc2(h), dims=([0], [0]))


def find_digits() -> Path | None:
    """../shared/data/digits.csv.gz, else the same file from Debian's python3-sklearn (found
    without importing scikit-learn)."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "digits.csv.gz"
    if shared.exists():
        return shared
    spec = importlib.util.find_spec("sklearn")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "datasets" / "data" / "digits.csv.gz"
        if path.exists():
            return path
    return None


def main() -> int:
    default_data = find_digits() or Path("digits.csv.gz")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(default_data))
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--threads", type=int, default=0,
                    help="PyTorch threads (0: as the CLI, OMP_NUM_THREADS or all hardware threads)")
    args = ap.parse_args()
    if not Path(args.data).exists():
        print(f"train_digits: {args.data} not found (../shared/data/digits.csv.gz, or install "
              "python3-sklearn, which ships the same file)", file=sys.stderr)
        return 77
    # Debian's python3-torch starts with 1 thread; the CLI uses all of them unless told.
    torch.set_num_threads(args.threads or qneuro.get_threads())
    cfg = qneuro.config("train", preset="default")
    tr = cfg["train"]
    epochs = args.epochs or tr["epochs"]
    torch.manual_seed(tr["seed"])
    x, y = load_digits(Path(args.data))
    n_train = cfg["data"]["train_rows"]
    x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    model = SpikingClassifier(cfg, 64, 10)
    opt = torch.optim.Adam(model.parameters(), lr=tr["lr"], weight_decay=tr["weight_decay"])
    gen = torch.Generator().manual_seed(tr["seed"])
    loss_fn = torch.nn.CrossEntropyLoss()
    per_epoch = []
    accuracy = 0.0
    for epoch in range(epochs):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = (tr["lr"] * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
                           if tr["schedule"] == "cosine" else tr["lr"])
        model.train()
        order = torch.randperm(n_train, generator=gen)
        total_loss = 0.0
        for i in range(0, n_train, tr["batch"]):
            idx = order[i:i + tr["batch"]]
            loss = loss_fn(model(x_train[idx], idx, epoch), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            correct = 0
            for i in range(0, len(x_test), 256):
                ids = torch.arange(i, min(i + 256, len(x_test)))
                logits = model(x_test[ids], ids, EVAL_EPISODE)
                correct += int((logits.argmax(1) == y_test[ids]).sum())
        accuracy = correct / len(x_test)
        per_epoch.append(time.perf_counter() - t0)
        if not args.json:
            print(f"epoch {epoch + 1:2d}/{epochs}  loss {total_loss / n_train:.4f}  "
                  f"test {100 * accuracy:5.1f} %  {per_epoch[-1] * 1000:.1f} ms")
    result = {"test_accuracy": accuracy, "epochs": epochs,
              "seconds_per_epoch_median": float(np.median(per_epoch)),
              "seconds_total": float(sum(per_epoch)), "threads": torch.get_num_threads()}
    print(json.dumps(result) if args.json else
          f"test accuracy {100 * accuracy:.1f} %, {result['seconds_per_epoch_median'] * 1000:.1f} ms "
          f"per epoch (median), {result['seconds_total']:.2f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
