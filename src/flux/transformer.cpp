// The `transformer` baseline: a causal pre-LN transformer of the flux model's width and depth,
// trained by the same trainer. x^0 = E[v_t] + P[t] (learned token and position embeddings);
// per layer x <- x + W_o MHA(LN(x)) with causal softmax attention softmax(q k^T / sqrt(d)),
// x <- x + W_2 GELU(W_1 LN(x)); logits = Linear(LN(x)). D = 64, 4 heads, 2 layers, ffn 4 D:
// 115 k parameters for a 65-character vocabulary at T_max = 64.
#include <cmath>

#include "flux_internal.hpp"

namespace qneuro::flux {

namespace {

using torch::Tensor;
namespace F = torch::nn::functional;

struct BlockImpl : torch::nn::Module {
  explicit BlockImpl(const ModelParams& p) {
    const int64_t D = p.embed_dim;
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    qkv = register_module("qkv", torch::nn::Linear(D, 3 * D));
    proj = register_module("proj", torch::nn::Linear(D, D));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    ffn1 = register_module("ffn1", torch::nn::Linear(D, p.ffn_mult * D));
    ffn2 = register_module("ffn2", torch::nn::Linear(p.ffn_mult * D, D));
  }
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Linear qkv{nullptr}, proj{nullptr}, ffn1{nullptr}, ffn2{nullptr};
};
TORCH_MODULE(Block);

class TransformerModel : public LanguageModel {
 public:
  TransformerModel(const ModelParams& p, int64_t vocab) : LanguageModel(p, vocab) {
    const int64_t D = p.embed_dim;
    tok_ = register_module("tok", torch::nn::Embedding(vocab, D));
    pos_ = register_module("pos", torch::nn::Embedding(p.max_seq_length, D));
    for (int64_t l = 0; l < p.num_layers; ++l) {
      blocks_.push_back(register_module("block" + std::to_string(l), Block(p)));
    }
    final_norm_ =
        register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    out_ = register_module("out", torch::nn::Linear(D, vocab));
  }

  ForwardResult forward(const Tensor& ids, bool record) override {
    check_ids(ids, vocab_, params_.max_seq_length);
    const int64_t B = ids.size(0), T = ids.size(1), D = params_.embed_dim, h = params_.heads;
    const int64_t d = D / h;
    const Tensor not_causal = causal_mask(T).logical_not();
    Tensor x = tok_(ids) + pos_(torch::arange(T, torch::kLong)).unsqueeze(0);
    ForwardResult r;
    if (record) r.states.push_back(x.narrow(2, 0, 2).detach().clone());
    double geometric = 0;
    for (auto& b : blocks_) {
      const auto qkv = b->qkv(b->norm1(x)).reshape({B, T, 3, h, d}).permute({2, 0, 3, 1, 4});
      const Tensor q = qkv[0], k = qkv[1], v = qkv[2];  // [B, h, T, d]
      Tensor att = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
      att =
          torch::softmax(att.masked_fill(not_causal, -std::numeric_limits<float>::infinity()), -1);
      x = x + b->proj(torch::matmul(att, v).transpose(1, 2).reshape({B, T, D}));
      x = x + b->ffn2(F::gelu(b->ffn1(b->norm2(x))));
      geometric += finish_layer(r, x.narrow(2, 0, 2), att.mean(1), record, att);
    }
    const Tensor H = final_norm_(x);
    finish_forward(r, H, out_(H), geometric);
    return r;
  }

  Tensor output_weight() override { return out_->weight; }

 private:
  torch::nn::Embedding tok_{nullptr}, pos_{nullptr};
  std::vector<Block> blocks_;
  torch::nn::LayerNorm final_norm_{nullptr};
  torch::nn::Linear out_{nullptr};
};

}  // namespace

std::shared_ptr<LanguageModel> make_transformer(const ModelParams& p, int64_t vocab) {
  return std::make_shared<TransformerModel>(p, vocab);
}

}  // namespace qneuro::flux
