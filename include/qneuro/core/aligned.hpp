// 64-byte aligned std::vector storage: cache-line and AVX-512 aligned, and accepted by FFTW's
// new-array execute functions when plans are made on arrays with the same alignment.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

#include "qneuro/core/huge_pages.hpp"

namespace qneuro {

template <typename T, std::size_t Alignment = 64>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() noexcept = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U, Alignment>& /*other*/) noexcept {}
  template <typename U>
  struct rebind {
    using other = AlignedAllocator<U, Alignment>;
  };
  // Large arrays come from transparent huge pages (core/huge_pages.hpp: 64-byte aligned below
  // 2 MiB, 2 MiB aligned and advised above): fewer first-touch faults and TLB misses.
  T* allocate(std::size_t n) {
    if constexpr (Alignment <= 64) {
      return static_cast<T*>(huge_page_alloc(n * sizeof(T)));
    } else {
      return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(Alignment)));
    }
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if constexpr (Alignment <= 64) {
      huge_page_free(p, n * sizeof(T));
    } else {
      ::operator delete(p, std::align_val_t(Alignment));
    }
  }
  friend bool operator==(const AlignedAllocator&, const AlignedAllocator&) { return true; }
};

template <typename T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace qneuro
