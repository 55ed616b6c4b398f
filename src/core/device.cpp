#include "qneuro/core/device.hpp"

#include <string>

#include "qneuro/core/error.hpp"

#if defined(QNEURO_HAVE_CUDA)
#include <cuda_runtime_api.h>
#endif

namespace qneuro {

namespace {

CudaInfo probe() {
  CudaInfo info;
#if defined(QNEURO_HAVE_CUDA)
  info.built = true;
  info.architectures = QNEURO_CUDA_ARCHITECTURES;
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    info.reason = std::string("no usable CUDA device (") + cudaGetErrorString(err) + ")";
    return info;
  }
  info.device_count = count;
  if (count == 0) {
    info.reason = "no CUDA device is visible";
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    info.reason = "cannot read the properties of CUDA device 0";
    return info;
  }
  info.name = prop.name;
  info.major = prop.major;
  info.minor = prop.minor;
  info.memory_bytes = prop.totalGlobalMem;
  // Kernels are compiled as SASS for the listed architectures (no PTX): a device of another
  // major architecture cannot run them.
  const std::string sm = std::to_string(prop.major * 10 + prop.minor);
  const std::string list = ";" + info.architectures + ";";
  if (list.find(";" + sm + ";") == std::string::npos &&
      list.find(";" + sm + "-real;") == std::string::npos) {
    info.reason = "CUDA device 0 (" + info.name + ") is sm_" + sm +
                  ", but this build has kernels for sm " + info.architectures +
                  " only (reconfigure with -DQNEURO_CUDA_ARCHITECTURES=" + sm + ")";
    return info;
  }
  info.usable = true;
#else
  info.reason =
      "this qneuro was built without CUDA (configure with -DQNEURO_WITH_CUDA=ON where CUDA 13 "
      "is installed; docs/gpu.md)";
#endif
  return info;
}

}  // namespace

const CudaInfo& cuda_info() {
  static const CudaInfo info = probe();
  return info;
}

void require_device(Device device, const std::string& what) {
  if (device != Device::Cuda) return;
  const CudaInfo& info = cuda_info();
  if (!info.usable) throw InputError(what + " = \"cuda\": " + info.reason + "; use \"cpu\"");
}

}  // namespace qneuro
