// Asking for the CUDA backend where it cannot run is an input error that says why and what to
// use instead (the GPU itself is checked by tests/cuda, label cuda).
#include <gtest/gtest.h>

#include <string>

#include "qneuro/core/device.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/snn/population.hpp"

namespace qneuro::snn {
namespace {

TEST(QlifDevice, CudaWithoutAUsableGpuIsAClearInputError) {
  if (cuda_info().usable) GTEST_SKIP() << "a GPU is usable here; tests/cuda checks it";
  try {
    Population pop(NeuronParams{}, 4, 1, 0, 0, Device::Cuda);
    FAIL() << "a CUDA population was created without a usable GPU";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("\"cuda\""), std::string::npos) << msg;
    EXPECT_NE(msg.find(cuda_info().reason), std::string::npos) << msg;
    EXPECT_NE(msg.find("use \"cpu\""), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace qneuro::snn
