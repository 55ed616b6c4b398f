#!/usr/bin/env python3
"""Training a tiny Quantum Flux language model and generating text: qneuro.flux.

qneuro.flux.train trains a character-level Quantum Flux model (docs/flux.md) as
``qneuro flux train`` does, holding out the last tenth of the text for evaluation, and writes
its checkpoint to a temporary directory; qneuro.flux.load reads it back, and generate() samples
a continuation of a prompt, reproducibly for a given seed. The "test" preset is a tiny model
(embedding width 16, 2 layers, 16-character context); it is trained here for 400 steps of 4
windows, a couple of seconds on 2 cores: enough to learn letter frequencies, common pairs and
the shape of words and lines, not to write English.

Text: the first 20,000 characters of ../shared/data/tinyshakespeare.txt next to the repository
when present, otherwise a paragraph built into this script; a text file given as the second
argument is used instead.

Units: the loss is the cross-entropy in nats per character (the training loss adds a small
geometric term); held-out figures in bits per character (bits = nats / ln 2).

    PYTHONPATH=build/python python3 examples/python/flux_generate.py [OUT_DIR [TEXT_FILE]]

prints the sample and writes OUT_DIR/flux_generate.png (default: the current directory).
"""

from __future__ import annotations

import math
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import qneuro.flux  # noqa: E402  (imports PyTorch and qneuro._torch)

REPO = Path(__file__).resolve().parents[2]
MAX_CHARS = 20_000
STEPS = 400
PROMPT = "ROMEO:\n"
SEED = 7

FALLBACK_TEXT = """\
The brain is never silent. Even at rest its neurons fire, and their small currents add up to
waves that an electrode on the scalp can record: slow delta waves in deep sleep, theta in
drowsiness, alpha when the eyes close, beta and gamma when the mind is busy. A model of the
brain should make such waves too. In a population of leaky integrate-and-fire neurons each cell
adds up its input, leaks a little of it away, and fires when its membrane potential crosses a
threshold; then it resets and starts again. In a quantum-inspired neuron the firing is a
measurement: the closer the potential comes to the threshold, the more likely a spike becomes.
"""


def load_text(argv: list[str]) -> tuple[str, str]:
    if len(argv) > 2:
        path = Path(argv[2])
    else:
        path = REPO.parent / "shared" / "data" / "tinyshakespeare.txt"
        if not path.is_file():
            return FALLBACK_TEXT * 8, "the built-in paragraph"
    return path.read_text(encoding="utf-8")[:MAX_CHARS], path.name


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    out_dir.mkdir(parents=True, exist_ok=True)
    text, source = load_text(argv)
    # The prompt must use characters of the model's vocabulary (those of the text).
    prompt = PROMPT if set(PROMPT) <= set(text) else text[:8]
    print(f"training on {len(text)} characters of {source}")

    with tempfile.TemporaryDirectory(prefix="flux-example-") as tmp:
        start = time.monotonic()
        # Keyword arguments are config keys (qneuro.describe_config("flux")). The test preset
        # runs 20 steps; we run more, with a short warm-up, a held-out evaluation every 50 steps
        # and the checkpoint written only at the end.
        trained = qneuro.flux.train(text, preset="test", out=tmp, train__steps=STEPS,
                                    train__warmup=30, train__eval_every=50,
                                    train__checkpoint_every=0)
        print(f"trained {trained} in {time.monotonic() - start:.1f} s")

        model = qneuro.flux.load(tmp)           # the checkpoint, as `qneuro flux generate`
        history = model.history
        sample = model.generate(prompt, tokens=200, seed=SEED, temperature=0.8, top_k=20)
        again = model.generate(prompt, tokens=200, seed=SEED, temperature=0.8, top_k=20)

    summary = trained.summary
    refs = summary["references"]
    print(f"held-out: {summary['held_out']['bits_per_char']:.3f} bits/char "
          f"(unigram model {refs['unigram_bits_per_token']:.3f}, bigram "
          f"{refs['bigram_bits_per_token']:.3f}, uniform {math.log2(model.vocab_size):.3f})")
    print(f"--- sample (seed {SEED}) ---\n{prompt}{sample}\n---")
    if sample != again:
        print("error: the same seed gave two different samples", file=sys.stderr)
        return 1
    loss = history["cross_entropy"]
    if not np.mean(loss[-20:]) < np.mean(loss[:5]) - 0.5:
        print("error: the training loss did not fall", file=sys.stderr)
        return 1

    fig, (ax, tx) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1, 1.1]})
    ln2 = math.log(2)
    ax.plot(history["step"], history["cross_entropy"] / ln2, lw=0.7, alpha=0.6,
            label="training batch")
    k = 10
    smooth = np.convolve(history["cross_entropy"], np.ones(k) / k, mode="valid") / ln2
    ax.plot(history["step"][k - 1:], smooth, lw=2, color="tab:blue", label=f"{k}-step mean")
    ax.plot(history["eval_step"], history["eval_bits_per_char"], "o-", color="tab:red",
            label="held-out text")
    ax.axhline(refs["unigram_bits_per_token"], color="gray", ls="--", lw=1,
               label="unigram model")
    ax.axhline(refs["bigram_bits_per_token"], color="gray", ls=":", lw=1, label="bigram model")
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("cross-entropy (bits per character)")
    ax.set_title(f"Quantum Flux, preset test: {model.parameter_count} parameters, "
                 f"vocabulary {model.vocab_size}", fontsize=10)
    ax.legend(fontsize=8)

    tx.axis("off")
    tx.set_title(f"sample (seed {SEED}, temperature 0.8, top-k 20)")
    shown = "\n".join(textwrap.fill(line, 64) if line else "" for line in
                      (prompt + sample).split("\n"))
    tx.text(0.0, 1.0, shown, family="monospace", fontsize=9, va="top", transform=tx.transAxes)
    fig.tight_layout()
    png = out_dir / "flux_generate.png"
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
