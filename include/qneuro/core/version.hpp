// What was built: the version, the git commit and the build type, recorded in run.json and shown
// by `qneuro --version`. (The values come from a header generated at configure time that only
// src/core/version.cpp sees, so a new commit recompiles one file.)
#pragma once

#include <string>

namespace qneuro::build_info {

[[nodiscard]] const char* version();     ///< e.g. "0.1.0" (project version)
[[nodiscard]] const char* git_hash();    ///< 12 hex digits of the commit, or "unknown"
[[nodiscard]] const char* build_type();  ///< CMAKE_BUILD_TYPE, e.g. "Release"
/// "qneuro 0.1.0 (abcdef012345, Release)".
[[nodiscard]] std::string version_line();

}  // namespace qneuro::build_info
