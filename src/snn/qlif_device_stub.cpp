// Builds without CUDA: Population never reaches this (require_device refuses "cuda" first), but
// a direct call still gets a clear error rather than a link failure.
#include "qlif_device.hpp"

#include "qneuro/core/device.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro::snn::device {

std::unique_ptr<QlifRunner> make_cuda_runner(const StepConstants<float>&, std::size_t, uint32_t,
                                             uint32_t, uint64_t) {
  throw RuntimeError("QLIF on CUDA: " + cuda_info().reason);
}

}  // namespace qneuro::snn::device
