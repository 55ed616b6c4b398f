// A fixed set of threads on which the server runs engine work (simulations, analyses, run data).
//
// Why: the engines parallelise with OpenMP, and libgomp keeps a team of worker threads alive for
// every thread that ever started a parallel region. Run from the HTTP library's ~80 request
// threads, each would grow its own team (up to 80 x cores threads); run here, only these
// threads' teams exist, started once when the pool is built, so the process's thread count stays
// fixed (the 50-stream test checks it) and concurrent requests queue instead of oversubscribing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace qneuro::web {

class ComputePool {
 public:
  /// `threads` workers, each running OpenMP regions with the thread count of the constructing
  /// thread (new threads would otherwise ignore `qneuro --threads N`).
  explicit ComputePool(std::size_t threads);
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;
  ~ComputePool();  ///< finishes the queued work, then joins

  /// Runs `work` on a pool thread and returns its result (its exception is rethrown here).
  nlohmann::json run(std::function<nlohmann::json()> work);

 private:
  void worker(int omp_threads);
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<nlohmann::json()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace qneuro::web
