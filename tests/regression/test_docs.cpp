// Documentation that checks itself against the code: the library table of docs/dev/layout.md
// against the targets CMake builds, and the list of randomness sources outside the Philox contract
// in docs/dev/rng.md against the sources that draw random numbers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "qneuro/core/strings.hpp"

namespace qneuro {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using DepTable = std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>>;

std::set<std::string> qneuro_names(const std::string& text) {
  std::set<std::string> out;
  const std::regex name(R"(qneuro_(core|io|eeg|field|snn_torch|snn|flux|web_flux|web)\b)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it) {
    out.insert(it->str());
  }
  return out;
}

TEST(DocsLayout, LibraryTableMatchesTheCMakeTargets) {
  // build/qneuro-targets.txt (cmake/QneuroTargetList.cmake): "target | public | private".
  DepTable built;
  std::istringstream targets(read(fs::path(QNEURO_BINARY_DIR) / "qneuro-targets.txt"));
  for (std::string line; std::getline(targets, line);) {
    const auto cols = strings::split(line, '|');
    ASSERT_EQ(cols.size(), 3u) << line;
    built[strings::trim(cols[0])] = {qneuro_names(cols[1]), qneuro_names(cols[2])};
  }
  ASSERT_GE(built.size(), 5u);
  // docs/dev/layout.md: rows "| `qneuro_x` (`qneuro::x`) | sources | public | private |".
  DepTable documented;
  std::istringstream doc(read(fs::path(QNEURO_SOURCE_DIR) / "docs/dev/layout.md"));
  for (std::string line; std::getline(doc, line);) {
    if (!line.starts_with("| `qneuro_")) continue;
    const auto cols = strings::split(line, '|');  // "", target, sources, public, private, ""
    ASSERT_GE(cols.size(), 5u) << line;
    const auto name = qneuro_names(cols[1]);
    ASSERT_EQ(name.size(), 1u) << line;
    documented[*name.begin()] = {qneuro_names(cols[3]), qneuro_names(cols[4])};
  }
  for (const auto& [target, deps] : built) {
    ASSERT_TRUE(documented.contains(target)) << target << " is built but not in layout.md";
    EXPECT_EQ(documented[target].first, deps.first) << target << ": PUBLIC links";
    EXPECT_EQ(documented[target].second, deps.second) << target << ": PRIVATE links";
  }
  for (const auto& [target, deps] : documented) {
#ifdef QNEURO_HAS_TORCH
    EXPECT_TRUE(built.contains(target)) << target << " is in layout.md but not built";
#else
    if (target != "qneuro_snn_torch" && target != "qneuro_flux" && target != "qneuro_web_flux") {
      EXPECT_TRUE(built.contains(target)) << target << " is in layout.md but not built";
    }
#endif
  }
}

TEST(DocsRng, EverySourceOfRandomnessOutsidePhiloxIsListedWithWhy) {
  // Anything that draws random numbers without rng::Philox (core/rng.hpp).
  const std::regex draws(
      R"((std::mt19937|std::minstd_rand|std::default_random_engine|std::random_device|\brand\(\)|)"
      R"(torch::(rand|randn|randint|randperm|bernoulli|multinomial|normal)\b|)"
      R"(\.(normal_|uniform_|bernoulli_|random_|exponential_)\(|torch::manual_seed|)"
      R"(getDefaultCPUGenerator|_standard_gamma))");
  std::set<std::string> drawing;
  for (const char* root : {"src", "include", "apps"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(QNEURO_SOURCE_DIR) / root)) {
      if (!e.is_regular_file()) continue;
      const std::string ext = e.path().extension().string();
      if (ext != ".cpp" && ext != ".hpp") continue;
      if (std::regex_search(read(e.path()), draws)) {
        drawing.insert(fs::relative(e.path(), QNEURO_SOURCE_DIR).string());
      }
    }
  }
  ASSERT_FALSE(drawing.empty());
  // rng.md's table "Outside the Philox contract": rows "| `path` | ... |".
  const std::string doc = read(fs::path(QNEURO_SOURCE_DIR) / "docs/dev/rng.md");
  const auto section = doc.find("## Outside the Philox contract");
  ASSERT_NE(section, std::string::npos) << "docs/dev/rng.md lacks the section";
  std::set<std::string> listed;
  const std::regex row(R"(\| `((src|include|apps)/[^`]+)`)");
  const std::string tail = doc.substr(section);
  for (auto it = std::sregex_iterator(tail.begin(), tail.end(), row); it != std::sregex_iterator();
       ++it) {
    listed.insert((*it)[1].str());
  }
  for (const auto& f : drawing) EXPECT_TRUE(listed.contains(f)) << f << " draws random numbers";
  for (const auto& f : listed) EXPECT_TRUE(drawing.contains(f)) << f << " is listed but draws none";
}

}  // namespace
}  // namespace qneuro
