#include <algorithm>
#include <vector>

#include "qneuro/snn/population.hpp"
#include "qneuro/snn/torch/qlif_layer.hpp"

namespace qneuro::snn {

QLIFRandoms philox_randoms(uint32_t seed, uint32_t layer, uint64_t episode, uint64_t t0, int64_t T,
                           int64_t B, int64_t N, int shots, torch::ScalarType dtype) {
  const int K = std::max(shots, 1);
  torch::Tensor xi = torch::empty({T, B, N}, torch::kFloat);
  torch::Tensor u = torch::empty({K, T, B, N}, torch::kFloat);
  float* px = xi.data_ptr<float>();
  float* pu = u.data_ptr<float>();
  const int64_t plane = T * B * N;
#pragma omp parallel
  {
    std::vector<float> us(static_cast<std::size_t>(K));  // one buffer per thread
#pragma omp for schedule(static)
    for (int64_t i = 0; i < plane; ++i) {
      const int64_t t = i / (B * N);
      const int64_t b = (i / N) % B;
      const int64_t n = i % N;
      draw_step_randoms(seed, layer, t0 + static_cast<uint64_t>(t), static_cast<uint64_t>(b),
                        static_cast<uint64_t>(n), K, px[i], us.data(), episode);
      for (int k = 0; k < K; ++k) pu[k * plane + i] = us[static_cast<std::size_t>(k)];
    }
  }
  return {xi.to(dtype), u.to(dtype), false};
}

}  // namespace qneuro::snn
