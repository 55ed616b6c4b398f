// The server's compute threads (compute_pool.hpp).
#include "qneuro/web/compute_pool.hpp"

#include <omp.h>

namespace qneuro::web {

ComputePool::ComputePool(std::size_t threads) {
  const int omp_threads = omp_get_max_threads();
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, omp_threads] { worker(omp_threads); });
  }
}

ComputePool::~ComputePool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

nlohmann::json ComputePool::run(std::function<nlohmann::json()> work) {
  std::packaged_task<nlohmann::json()> task(std::move(work));
  std::future<nlohmann::json> result = task.get_future();
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return result.get();
}

void ComputePool::worker(int omp_threads) {
  omp_set_num_threads(omp_threads);
  // Start this thread's OpenMP team now, so it exists before any request (a fixed thread count).
#pragma omp parallel
  { (void)omp_get_thread_num(); }
  for (;;) {
    std::packaged_task<nlohmann::json()> task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace qneuro::web
