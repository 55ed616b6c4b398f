# Writes qneuro/core/version_info.hpp into the build tree: version, git hash, build type.
find_package(Git QUIET)
set(QNEURO_GIT_HASH "unknown")
if(GIT_FOUND AND EXISTS "${CMAKE_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
                  WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE _hash
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _hash)
    set(QNEURO_GIT_HASH "${_hash}")
  endif()
endif()
configure_file("${CMAKE_SOURCE_DIR}/cmake/version_info.hpp.in"
               "${CMAKE_BINARY_DIR}/generated/qneuro/core/version_info.hpp" @ONLY)
