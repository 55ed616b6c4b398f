#include "qneuro/core/memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace qneuro {
namespace {

TEST(Memory, RetainedHeapMemoryStaysResidentAfterFree) {
  // Without the setting, glibc serves a 64 MB block from its own mmap and unmaps it on free;
  // with it, the block comes from the heap and its pages stay mapped for the next allocation.
  retain_freed_heap_memory();
  const std::size_t bytes = std::size_t{64} << 20;
  const uint64_t before = current_rss_bytes();
  if (before == 0) GTEST_SKIP() << "no /proc/self/statm";
  {
    auto block = std::make_unique<unsigned char[]>(bytes);
    std::memset(block.get(), 1, bytes);
    EXPECT_EQ(block[bytes - 1], 1);
  }
  const uint64_t after = current_rss_bytes();
  EXPECT_GE(after, before + bytes / 2) << "freed memory went back to the system";
}

}  // namespace
}  // namespace qneuro
