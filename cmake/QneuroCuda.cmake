# The CUDA language and its flags (QNEURO_WITH_CUDA; docs/gpu.md). CUDA 13 lives in /usr/local/cuda
# on our machines (not a Debian package); CMAKE_CUDA_COMPILER overrides.
#
# Flags that make the device arithmetic the CPU's (core/hd.hpp): no FMA contraction (the CPU
# builds with -ffp-contract=off), IEEE division and square root, single-precision denormals
# flushed to zero (the float kernels run under FTZ/DAZ on the CPU). --expt-relaxed-constexpr lets
# device code use constexpr library values such as std::numbers::pi_v.
if(NOT QNEURO_WITH_CUDA)
  return()
endif()
if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS "/usr/local/cuda/bin/nvcc")
  set(CMAKE_CUDA_COMPILER "/usr/local/cuda/bin/nvcc")
endif()
set(CMAKE_CUDA_ARCHITECTURES "${QNEURO_CUDA_ARCHITECTURES}")
enable_language(CUDA)
find_package(CUDAToolkit REQUIRED)
# CMake 3.25 (Debian bookworm) knows no C++20 flag for nvcc and refuses CUDA sources of targets
# whose CXX_STANDARD is 20 (it applies it to CUDA too); nvcc 12+ accepts -std=c++20.
if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()
set(CMAKE_CUDA_STANDARD 20)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
set(CMAKE_CUDA_EXTENSIONS OFF)
if(CMAKE_CUDA_COMPILER_VERSION VERSION_LESS 12.0)
  message(FATAL_ERROR "QNEURO_WITH_CUDA needs CUDA 12 or newer (C++20 device code); found ${CMAKE_CUDA_COMPILER_VERSION}")
endif()
add_library(qneuro_cuda_options INTERFACE)
target_compile_options(qneuro_cuda_options INTERFACE
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false -prec-div=true -prec-sqrt=true -ftz=true
    --expt-relaxed-constexpr -Xcompiler=-ffp-contract=off -Xcompiler=-Wall>)
message(STATUS "qneuro CUDA: ${CMAKE_CUDA_COMPILER} ${CMAKE_CUDA_COMPILER_VERSION}, sm ${CMAKE_CUDA_ARCHITECTURES}")
