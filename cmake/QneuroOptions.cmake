# Build options. Every option is prefixed QNEURO_, validated here and printed at configure time.
option(QNEURO_WITH_TORCH "Build the LibTorch layers (snn/torch, flux); needs libtorch-dev" ON)
option(QNEURO_WITH_MPI "Build MPI-distributed drivers" OFF)
option(QNEURO_NATIVE "Compile for this CPU (-march=native); binaries are not portable" OFF)
option(QNEURO_BUILD_TESTS "Build the GoogleTest suites" ON)
option(QNEURO_BUILD_BENCH "Build the Google Benchmark programs" ON)
option(QNEURO_BUILD_PYTHON
       "Build the Python package qneuro (pybind11-dev, python3-dev, python3-numpy) for QNEURO_PYTHON" ON)
option(QNEURO_BUILD_WEB
       "Build qneuro serve / qneuro report (cpp-httplib; the front end is bundled from web/node_modules, installed by npm ci)" ON)
option(QNEURO_WITH_CUDA
       "Build the CUDA backends (QLIF populations; docs/gpu.md); needs CUDA 13 (nvcc at /usr/local/cuda or CMAKE_CUDA_COMPILER)" OFF)
set(QNEURO_CUDA_ARCHITECTURES "90" CACHE STRING
    "SM architectures the CUDA kernels are compiled for (a ;-list such as 90 or 80;90; 90 = H100/H200; not native)")
set(QNEURO_SANITIZE "" CACHE STRING "Sanitizers to enable: a ;-list of address, undefined, thread")
set(QNEURO_PYTHON "/usr/bin/python3" CACHE FILEPATH
    "Python with numpy/scipy/h5py/mne: the independent reference for the validation tests, and the interpreter the Python package is built for")

set(_qneuro_known_sanitizers address undefined thread)
foreach(_san IN LISTS QNEURO_SANITIZE)
  if(NOT _san IN_LIST _qneuro_known_sanitizers)
    message(FATAL_ERROR "QNEURO_SANITIZE: unknown sanitizer '${_san}' (allowed: ${_qneuro_known_sanitizers})")
  endif()
endforeach()
if("address" IN_LIST QNEURO_SANITIZE AND "thread" IN_LIST QNEURO_SANITIZE)
  message(FATAL_ERROR "QNEURO_SANITIZE: 'address' and 'thread' cannot be combined")
endif()
if(QNEURO_WITH_MPI)
  message(FATAL_ERROR "QNEURO_WITH_MPI: no MPI driver exists yet; configure with -DQNEURO_WITH_MPI=OFF")
endif()
if(QNEURO_WITH_CUDA)
  if(QNEURO_CUDA_ARCHITECTURES STREQUAL "" OR QNEURO_CUDA_ARCHITECTURES MATCHES "native|all")
    message(FATAL_ERROR "QNEURO_CUDA_ARCHITECTURES: list the architectures explicitly (e.g. 90 for H100/H200, 80 for A100), not '${QNEURO_CUDA_ARCHITECTURES}'")
  endif()
  foreach(_arch IN LISTS QNEURO_CUDA_ARCHITECTURES)
    if(NOT _arch MATCHES "^[0-9]+[a-z]?$")
      message(FATAL_ERROR "QNEURO_CUDA_ARCHITECTURES: '${_arch}' is not an SM number such as 90")
    endif()
  endforeach()
endif()
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

message(STATUS "qneuro options:")
foreach(_opt QNEURO_WITH_TORCH QNEURO_WITH_CUDA QNEURO_CUDA_ARCHITECTURES QNEURO_WITH_MPI QNEURO_NATIVE QNEURO_BUILD_TESTS QNEURO_BUILD_BENCH QNEURO_BUILD_PYTHON
             QNEURO_BUILD_WEB QNEURO_SANITIZE QNEURO_PYTHON CMAKE_BUILD_TYPE)
  message(STATUS "  ${_opt} = ${${_opt}}")
endforeach()
