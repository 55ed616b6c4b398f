// Philox (core/philox.hpp) evaluated on the device, for check_qlif_cuda.
#include <cuda_runtime.h>

#include "device_philox.hpp"
#include "qneuro/core/philox.hpp"

namespace qneuro::cuda_checks {

namespace {
__global__ void philox_kernel(const PhiloxCoord* coords, std::size_t n, uint32_t* out) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const PhiloxCoord c = coords[i];
  const PhiloxWords w = philox4x32_10(c.seed, c.stream, c.step, c.entity);
  for (int q = 0; q < 4; ++q) out[4 * i + q] = w.w[q];
}
}  // namespace

std::string philox_on_device(const std::vector<PhiloxCoord>& coords, std::vector<uint32_t>& out) {
  const std::size_t n = coords.size();
  out.assign(4 * n, 0);
  PhiloxCoord* d_coords = nullptr;
  uint32_t* d_out = nullptr;
  cudaError_t err = cudaMalloc(&d_coords, n * sizeof(PhiloxCoord));
  if (err == cudaSuccess) err = cudaMalloc(&d_out, 4 * n * sizeof(uint32_t));
  if (err == cudaSuccess) {
    err = cudaMemcpy(d_coords, coords.data(), n * sizeof(PhiloxCoord), cudaMemcpyHostToDevice);
  }
  if (err == cudaSuccess) {
    philox_kernel<<<static_cast<unsigned>((n + 255) / 256), 256>>>(d_coords, n, d_out);
    err = cudaGetLastError();
  }
  if (err == cudaSuccess) {
    err = cudaMemcpy(out.data(), d_out, 4 * n * sizeof(uint32_t), cudaMemcpyDeviceToHost);
  }
  cudaFree(d_coords);
  cudaFree(d_out);
  return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err));
}

}  // namespace qneuro::cuda_checks
