// Where an engine runs: the CPU (always) or a CUDA GPU (builds configured with
// -DQNEURO_WITH_CUDA=ON; docs/gpu.md). Engines read the choice from their config (`sim.device`)
// or from a typed parameter and call require_device() before any work, so a run that cannot
// have its device fails at once with a message saying why and what to do.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "qneuro/core/enum_names.hpp"

namespace qneuro {
enum class Device { Cpu, Cuda };
template <>
inline constexpr std::array enum_names<Device>{EnumName{Device::Cpu, "cpu"},
                                               EnumName{Device::Cuda, "cuda"}};

/// What this build and this machine offer for Device::Cuda.
struct CudaInfo {
  bool built = false;         ///< compiled with QNEURO_WITH_CUDA
  std::string architectures;  ///< the SM architectures compiled for, e.g. "90"
  int device_count = 0;
  std::string name;          ///< of device 0
  int major = 0, minor = 0;  ///< its compute capability
  uint64_t memory_bytes = 0;
  bool usable = false;  ///< built, a device present, and its architecture compiled
  std::string reason;   ///< why not usable (empty if usable)
};

/// Queries the CUDA runtime once (cheap afterwards).
const CudaInfo& cuda_info();

/// Throws InputError for Device::Cuda when cuda_info() is not usable: "`what` = \"cuda\": " and
/// the reason (no CUDA in this build, no GPU visible, architecture not compiled).
void require_device(Device device, const std::string& what);

}  // namespace qneuro
