// Philox on the device (philox_kernel.cu), for the known-answer and host-equality checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qneuro::cuda_checks {

struct PhiloxCoord {
  uint32_t seed, stream;
  uint64_t step, entity;
};

/// out[4 i + q] = word q at coords[i]; returns a CUDA error message, empty on success.
std::string philox_on_device(const std::vector<PhiloxCoord>& coords, std::vector<uint32_t>& out);

}  // namespace qneuro::cuda_checks
