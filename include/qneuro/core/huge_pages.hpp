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
#include <type_traits>
#include <utility>
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

/// HugePageAllocator whose value-less construct() default-initialises: resize() of a vector of
/// numbers leaves them indeterminate instead of zeroing them in one serial pass, so that the
/// parallel loop that fills the array is also the first touch (the pages are zeroed by the
/// kernel, in the faulting threads). Only for arrays that are written before they are read.
template <typename T>
struct UninitializedAllocator : HugePageAllocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() noexcept = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>& /*other*/) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  friend bool operator==(const UninitializedAllocator&, const UninitializedAllocator&) {
    return true;
  }
};

/// A vector whose resize() does not initialise numbers (see UninitializedAllocator).
template <typename T>
using UninitializedVector = std::vector<T, UninitializedAllocator<T>>;

/// Element-wise equality of a HugePageVector and a std::vector (found by argument-dependent
/// lookup through the allocator), so that results compare with reference vectors directly.
template <typename T, typename A1, typename A2>
bool operator==(const std::vector<T, A1>& a, const std::vector<T, A2>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace qneuro
