// Labelled datasets for the spiking classifier (`qneuro snn train`): a CSV file (optionally
// gzip-compressed) with the features in the first columns and an integer class label in the
// last one (such as the 8x8 digits: 64 pixels 0..16, then the digit), or a directory with the
// four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each optionally .gz).
//
// Features are scaled to [0, 1] by dividing by `scale` (0: the largest feature value of the
// file, 16 for the digits, 255 for MNIST). The CSV split is by row order: rows 1..train_rows
// train, the rest test (MNIST comes split). Malformed files throw InputError naming the file and
// the line or field (exit code 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace qneuro::snn {

struct Dataset {
  std::size_t features = 0;
  std::vector<float> x;    ///< (size, features), in [0, 1]
  std::vector<int64_t> y;  ///< labels in [0, classes)
  [[nodiscard]] std::size_t size() const { return y.size(); }
};

struct DatasetSplit {
  Dataset train, test;
  std::size_t classes = 0;
  double scale = 1.0;  ///< the divisor applied to the raw features
  std::string format;  ///< "csv" or "idx"
};

DatasetSplit load_dataset(const std::filesystem::path& path, std::size_t train_rows = 1500,
                          double scale = 0.0);

}  // namespace qneuro::snn
