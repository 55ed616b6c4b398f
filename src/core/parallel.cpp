#include "qneuro/core/parallel.hpp"

#include <omp.h>

namespace qneuro::parallel {

void set_threads(int n) {
  omp_set_num_threads(n > 0 ? n : omp_get_num_procs());
}

int max_threads() {
  return omp_get_max_threads();
}

int hardware_threads() {
  return omp_get_num_procs();
}

ScopedThreads::ScopedThreads(int n) : previous_(omp_get_max_threads()) {
  set_threads(n);
}

ScopedThreads::~ScopedThreads() {
  omp_set_num_threads(previous_);
}

}  // namespace qneuro::parallel
