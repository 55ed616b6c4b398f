// expect_input_error: a call must throw qneuro::InputError (exit code 2) whose message contains
// every fragment (the file, the field, the allowed range...). Shared by the reader tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "qneuro/core/error.hpp"

namespace qneuro::testing {

template <typename F>
void expect_input_error(F&& call, const std::vector<std::string>& fragments,
                        const std::string& what) {
  try {
    call();
    ADD_FAILURE() << "accepted: " << what;
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.exit_code(), kExitUsage);
    for (const std::string& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "message lacks '" << fragment << "': " << message;
    }
  }
}

}  // namespace qneuro::testing
