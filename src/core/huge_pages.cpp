#include "qneuro/core/huge_pages.hpp"

#include <sys/mman.h>

#include <new>

namespace qneuro {

void* huge_page_alloc(std::size_t bytes) {
  if (bytes < kHugePageBytes) return ::operator new(bytes, std::align_val_t(64));
  // Round up to whole huge pages so that the last one is not shared with other allocations.
  const std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* p = ::operator new(rounded, std::align_val_t(kHugePageBytes));
#ifdef MADV_HUGEPAGE
  // Advice only: if the kernel refuses (THP disabled, old kernel) the pages are ordinary ones.
  (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void huge_page_free(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  ::operator delete(p, std::align_val_t(bytes < kHugePageBytes ? 64 : kHugePageBytes));
}

}  // namespace qneuro
