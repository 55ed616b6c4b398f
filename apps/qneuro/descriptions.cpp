// Help texts shared by qneuro (hand-over entries) and qneuro-torch (the commands themselves).
#include "cli_common.hpp"

namespace qneuro::cli {

const char* const kFluxDescription =
    "The Quantum Flux language model (docs/flux.md): train, evaluate, generate, bench.\n"
    "Presets: flux (the model the seed describes, made to work), faithful (the seed's code),\n"
    "transformer (a same-size causal transformer baseline).";

const char* const kSnnTrainDescription =
    "Train a spiking classifier (docs/snn.md, Training):\n"
    "  encoder (rate or latency code over T steps) -> Linear -> QLIF -> Linear ->\n"
    "  QLIF spike counts or a leaky membrane readout; Adam on cross-entropy.\n"
    "The QLIF layers run the fused kernel forward and a hand-written BPTT backward\n"
    "(surrogate gradients in deterministic mode, straight-through in stochastic/quantum).\n"
    "--data: a CSV (.gz ok) with the label in the last column (rows 1..data.train_rows train,\n"
    "the rest test), or a directory with the four MNIST IDX files.\n"
    "Writes DIR/summary.json (qneuro.snn.train/1: per-epoch loss, train/test accuracy, time;\n"
    "final test_accuracy), DIR/model.pt (torch::load-able), DIR/curves.h5, config.resolved.toml\n"
    "and run.json. Deterministic for a seed and thread count.";

const char* const kSnnBenchTrainDescription =
    "Training throughput of the classifier with the fused QLIF layer and with the plain-ops\n"
    "oracle, in the same run, on random data: one JSON line with samples/s of each, the\n"
    "speedup, the time of one training step (forward + backward) of the hidden QLIF layer\n"
    "alone for each and its ratio (layer_speedup), and the bytes per neuron-step each QLIF\n"
    "layer keeps for its backward (resident memory growth while the graph is alive; the\n"
    "fused figure also as accounted from the saved tensors). Times are medians of\n"
    "--iterations timed steps after one warm-up step. Threads: --threads (global).";

}  // namespace qneuro::cli
