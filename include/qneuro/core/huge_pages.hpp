// Storage for large arrays backed by transparent huge pages where the kernel offers them.
//
// Why: a fresh array's first touch costs one page fault per 4 KiB page. On the project's VMs a
// fault costs microseconds (a paravirtualised interrupt round trip), so touching a 36 MB state
// array or a 400 MB output array for the first time cost more than the kernel that fills it.
// Allocations of at least kHugePageBytes are aligned to 2 MiB and marked MADV_HUGEPAGE (honoured
// when /sys/kernel/mm/transparent_hugepage/enabled is `always` or `madvise`): one fault per 2 MiB.
// Smaller allocations, and systems without madvise, get ordinary 64-byte aligned storage. Values
// are unaffected; only where the pages come from changes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <vector>

namespace qneuro {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

/// Allocates `bytes` (64-byte aligned; 2 MiB aligned and advised for huge pages from
/// kHugePageBytes up). Throws std::bad_alloc. Free with huge_page_free(p, bytes).
void* huge_page_alloc(std::size_t bytes);
void huge_page_free(void* p, std::size_t bytes) noexcept;

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(huge_page_alloc(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { huge_page_free(p, n * sizeof(T)); }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

/// Element-wise equality of a HugePageVector and a std::vector (found by argument-dependent
/// lookup through the allocator), so that results compare with reference vectors directly.
template <typename T, typename A1, typename A2>
bool operator==(const std::vector<T, A1>& a, const std::vector<T, A2>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace qneuro
