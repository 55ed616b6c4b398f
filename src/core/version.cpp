#include "qneuro/core/version.hpp"

#include "qneuro/core/version_info.hpp"

namespace qneuro::build_info {

const char* version() {
  return kVersion;
}

const char* git_hash() {
  return kGitHash;
}

const char* build_type() {
  return kBuildType;
}

std::string version_line() {
  return std::string("qneuro ") + kVersion + " (" + kGitHash + ", " + kBuildType + ")";
}

}  // namespace qneuro::build_info
