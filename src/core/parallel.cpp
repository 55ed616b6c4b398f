#include "qneuro/core/parallel.hpp"

#include <omp.h>

#include <cstdlib>

namespace qneuro::parallel {

void set_threads(int n) {
  if (n > 0) {
    omp_set_num_threads(n);
  } else if (std::getenv("OMP_NUM_THREADS") == nullptr) {
    omp_set_num_threads(omp_get_num_procs());
  }  // else: keep the OpenMP runtime's choice, which honours OMP_NUM_THREADS
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
