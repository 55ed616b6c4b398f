// 64-byte aligned std::vector storage: cache-line and AVX-512 aligned, and accepted by FFTW's
// new-array execute functions when plans are made on arrays with the same alignment. It is the
// huge-page storage of core/huge_pages.hpp (one allocator for both purposes): arrays of 2 MiB and
// more are 2 MiB aligned and advised for transparent huge pages, smaller ones 64-byte aligned.
#pragma once

#include "qneuro/core/huge_pages.hpp"

namespace qneuro {

template <typename T>
using AlignedAllocator = HugePageAllocator<T>;

template <typename T>
using AlignedVector = HugePageVector<T>;

}  // namespace qneuro
