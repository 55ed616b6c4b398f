# `cmake --install`: the libraries, their public headers, the CLI, and a CMake package exporting
# qneuro::core, qneuro::io, qneuro::eeg, qneuro::field, qneuro::snn (and, built with LibTorch,
# qneuro::snn_torch, qneuro::flux), so that another project can
#   find_package(qneuro REQUIRED)
#   target_link_libraries(app PRIVATE qneuro::field)
# with CMAKE_PREFIX_PATH pointing at the prefix. examples/ is such a project; the test
# Packaging.InstalledTreeBuildsAndRunsTheExamples installs to a scratch prefix and builds it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_qneuro_libraries qneuro_core qneuro_io qneuro_eeg qneuro_field qneuro_snn)
if(QNEURO_WITH_TORCH)
  list(APPEND _qneuro_libraries qneuro_snn_torch qneuro_flux)
endif()
foreach(_lib IN LISTS _qneuro_libraries)
  string(REPLACE "qneuro_" "" _name "${_lib}")
  set_target_properties(${_lib} PROPERTIES EXPORT_NAME ${_name})
endforeach()
# Interface targets the static libraries name in their link interface.
set_target_properties(qneuro_hdf5 PROPERTIES EXPORT_NAME hdf5)
set_target_properties(qneuro_project_options PROPERTIES EXPORT_NAME project_options)

set(_qneuro_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/qneuro")
set(_qneuro_interfaces qneuro_hdf5 qneuro_project_options)
if(QNEURO_WITH_CUDA)
  set_target_properties(qneuro_cuda_options PROPERTIES EXPORT_NAME cuda_options)
  list(APPEND _qneuro_interfaces qneuro_cuda_options)
endif()
install(TARGETS ${_qneuro_libraries} ${_qneuro_interfaces}
        EXPORT qneuroTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
# The dashboard library (web/) is part of the qneuro executables, not of the installed API.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/qneuro" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        PATTERN "web" EXCLUDE)
install(TARGETS qneuro RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(TARGET qneuro-torch)
  # Not on PATH: qneuro hands over to it (apps/qneuro/torch_handover.hpp).
  install(TARGETS qneuro-torch RUNTIME DESTINATION "${CMAKE_INSTALL_LIBEXECDIR}/qneuro")
endif()
install(EXPORT qneuroTargets NAMESPACE qneuro:: DESTINATION "${_qneuro_cmake_dir}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/qneuroConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/qneuroConfig.cmake"
                              INSTALL_DESTINATION "${_qneuro_cmake_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/qneuroConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/qneuroConfig.cmake"
              "${PROJECT_BINARY_DIR}/qneuroConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindFFTW3.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindRandom123.cmake"
        DESTINATION "${_qneuro_cmake_dir}")
