#include "qneuro/core/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace qneuro {
namespace {

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

TEST(HugePages, SmallAllocationsAreCacheLineAlignedAndLargeOnesHugePageAligned) {
  void* small = huge_page_alloc(1000);
  EXPECT_EQ(address(small) % 64, 0u);
  huge_page_free(small, 1000);
  const std::size_t big = kHugePageBytes * 3 + 5;
  void* large = huge_page_alloc(big);
  EXPECT_EQ(address(large) % kHugePageBytes, 0u);
  // The whole (rounded-up) range is usable.
  auto* bytes = static_cast<unsigned char*>(large);
  bytes[0] = 1;
  bytes[big - 1] = 2;
  EXPECT_EQ(bytes[0] + bytes[big - 1], 3);
  huge_page_free(large, big);
  huge_page_free(nullptr, big);  // no-op
}

TEST(HugePages, VectorHoldsValuesAndComparesWithStdVector) {
  HugePageVector<float> v(kHugePageBytes);  // 8 MB: the huge-page path
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 977);
  std::vector<float> w(v.begin(), v.end());
  EXPECT_TRUE(v == w);
  w.back() += 1.0f;
  EXPECT_FALSE(v == w);
  EXPECT_FALSE(v == std::vector<float>(3, 0.0f));
  v.resize(v.size() * 2, 1.0f);  // reallocation keeps the values
  EXPECT_EQ(v[976], 976.0f);
  EXPECT_EQ(v.back(), 1.0f);
}

TEST(HugePages, LargeAllocationsAreBackedByHugePagesWhereTheKernelAdvisesThem) {
  std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(mode_file, mode);
  if (mode.find("[never]") != std::string::npos || mode.empty()) {
    GTEST_SKIP() << "transparent huge pages are off here ('" << mode << "')";
  }
  // AnonHugePages of /proc/self/smaps_rollup grows by whole 2 MiB pages once the memory is touched.
  auto anon_huge_kb = [] {
    std::ifstream in("/proc/self/smaps_rollup");
    std::string key;
    long kb = 0;
    while (in >> key) {
      if (key == "AnonHugePages:") {
        in >> kb;
        return kb;
      }
      in.ignore(1 << 20, '\n');
    }
    return -1L;
  };
  const long before = anon_huge_kb();
  if (before < 0) GTEST_SKIP() << "no /proc/self/smaps_rollup";
  HugePageVector<uint8_t> v(16 * kHugePageBytes, 1);
  const long after = anon_huge_kb();
  // The kernel may fall back to small pages when it has no free huge page; it should find some
  // of 16 on any machine with THP enabled.
  EXPECT_GE(after - before, 2048) << "THP mode '" << mode << "'";
  EXPECT_EQ(v[v.size() / 2], 1);
}

}  // namespace
}  // namespace qneuro
