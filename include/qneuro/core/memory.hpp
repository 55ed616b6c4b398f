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

}  // namespace qneuro
