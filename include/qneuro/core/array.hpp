// Minimal owning row-major 2-D array (rows x cols), contiguous, for per-channel results.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace qneuro {

template <typename T>
class Array2 {
 public:
  Array2() = default;
  Array2(std::size_t rows, std::size_t cols, T fill = T{})
      : rows_(rows), cols_(cols), data_(rows * cols, fill) {}

  [[nodiscard]] std::size_t rows() const { return rows_; }
  [[nodiscard]] std::size_t cols() const { return cols_; }
  [[nodiscard]] std::size_t size() const { return data_.size(); }
  T& operator()(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }
  const T& operator()(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }
  std::span<T> row(std::size_t r) { return {data_.data() + r * cols_, cols_}; }
  std::span<const T> row(std::size_t r) const { return {data_.data() + r * cols_, cols_}; }
  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  [[nodiscard]] const std::vector<T>& values() const { return data_; }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<T> data_;
};

}  // namespace qneuro
