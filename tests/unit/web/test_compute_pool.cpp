// The server's compute threads: results and exceptions come back to the caller, work runs on
// the pool's threads only, and concurrent callers are all served.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>

#include "qneuro/web/compute_pool.hpp"

using nlohmann::json;

TEST(WebComputePool, ReturnsResultsAndRethrowsOnTheCallersThread) {
  qneuro::web::ComputePool pool(2);
  EXPECT_EQ(pool.run([] { return json{{"x", 1}}; }), (json{{"x", 1}}));
  EXPECT_THROW((void)pool.run([]() -> json { throw std::invalid_argument("bad"); }),
               std::invalid_argument);
}

TEST(WebComputePool, ManyCallersAreServedByThePoolsThreadsOnly) {
  qneuro::web::ComputePool pool(2);
  std::mutex m;
  std::set<std::thread::id> workers, caller_ids;
  std::vector<std::thread> callers;
  std::vector<int> results(16, -1);
  for (int i = 0; i < 16; ++i) {
    callers.emplace_back([&, i] {
      {
        const std::lock_guard lock(m);
        caller_ids.insert(std::this_thread::get_id());
      }
      results[static_cast<std::size_t>(i)] = pool.run([&, i] {
                                                   const std::lock_guard lock(m);
                                                   workers.insert(std::this_thread::get_id());
                                                   return json(i * i);
                                                 })
                                                 .get<int>();
    });
  }
  for (auto& c : callers) c.join();
  for (int i = 0; i < 16; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)], i * i);
  EXPECT_LE(workers.size(), 2u);
  for (const auto& id : caller_ids) EXPECT_FALSE(workers.contains(id));
}
