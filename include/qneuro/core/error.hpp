// qneuro::Error hierarchy and process exit codes.
//
// Every failure that reaches the user is an exception derived from qneuro::Error, carrying one
// clear message (what is wrong, where, what is allowed). The CLI maps them to exit codes:
//   0  success
//   1  runtime failure (numerical blow-up, I/O failure while writing, internal error)
//   2  usage or input error (bad flag, bad config key/value, unreadable or malformed input file)
// Nothing in the library calls exit() or abort(); main() is the only place that picks a code.
#pragma once

#include <stdexcept>
#include <string>

namespace qneuro {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

/// Base of every qneuro exception. what() is the complete, user-facing message.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  /// Process exit code main() should return for this error.
  [[nodiscard]] virtual int exit_code() const noexcept { return kExitRuntime; }
};

/// Bad command-line usage (unknown flag, missing argument, conflicting options). Exit 2.
class UsageError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] int exit_code() const noexcept override { return kExitUsage; }
};

/// Bad input data: missing/unreadable/malformed file, wrong sizes, unknown channel. Exit 2.
class InputError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] int exit_code() const noexcept override { return kExitUsage; }
};

/// Bad configuration: unknown key, wrong type, value out of range. Exit 2.
class ConfigError : public InputError {
 public:
  using InputError::InputError;
};

/// Failure while running (I/O error on write, resource exhaustion, internal error). Exit 1.
class RuntimeError : public Error {
 public:
  using Error::Error;
};

/// Numerical failure detected in a state (NaN/Inf, norm drift beyond tolerance). Exit 1.
class NumericalError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

}  // namespace qneuro
