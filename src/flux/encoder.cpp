#include "qneuro/flux/encoder.hpp"

#include "qneuro/flux/model.hpp"

namespace qneuro::flux {

PolarEncoderImpl::PolarEncoderImpl(int64_t vocab, int64_t embed_dim) {
  torch::Tensor e = 0.1 * torch::randn({vocab, embed_dim});
  e.narrow(1, 0, 2).copy_(cardioid_points(vocab));
  embedding = register_parameter("embedding", e);
}

torch::Tensor PolarEncoderImpl::forward(const torch::Tensor& ids) {
  return embedding.index_select(0, ids.reshape({-1}))
      .reshape({ids.size(0), ids.size(1), embedding.size(1)});
}

}  // namespace qneuro::flux
