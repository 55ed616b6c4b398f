#include <gtest/gtest.h>

#include "qneuro/core/timing.hpp"

namespace qneuro {
namespace {

TEST(Timing, MedianSecondsIsTheMiddleOrUpperMiddleRepeat) {
  EXPECT_EQ(median_seconds({3.0}), 3.0);
  EXPECT_EQ(median_seconds({5.0, 1.0, 3.0}), 3.0);
  EXPECT_EQ(median_seconds({4.0, 1.0, 3.0, 2.0}), 3.0);
  EXPECT_GE(seconds_of([] {}), 0.0);
}

}  // namespace
}  // namespace qneuro
