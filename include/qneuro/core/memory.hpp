// What the operating system says about memory: for up-front size checks of runs (exit 2 with an
// estimate instead of an out-of-memory kill) and for benchmarks' peak_rss_mb.
#pragma once

#include <cstdint>

namespace qneuro {

/// MemAvailable from /proc/meminfo, else physical memory, in bytes.
uint64_t available_memory_bytes();
/// Physical memory in bytes (16 GiB if the OS does not say).
uint64_t physical_memory_bytes();
/// Peak resident set size of this process so far, in MiB.
double peak_rss_mb();
/// Resident set size of this process now, in bytes (/proc/self/statm; 0 if unavailable).
uint64_t current_rss_bytes();

/// Keeps freed heap memory in the process (glibc: mmap threshold and trim threshold 1 GiB).
/// For training loops that allocate and free the same MB-sized tensors every step: by default
/// glibc serves each from a fresh mmap and unmaps it when freed, so every step faulted all of
/// its pages in again (a fifth of `snn bench-train`'s time on the project's VM). The cost is
/// that the heap stays at its peak size. Process-wide, so only the CLI's torch entry point
/// calls it; a no-op elsewhere than glibc.
void retain_freed_heap_memory();

}  // namespace qneuro
