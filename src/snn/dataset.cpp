#include "qneuro/snn/dataset.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "qneuro/core/error.hpp"
#include "qneuro/io/compressed.hpp"

namespace qneuro::snn {

namespace fs = std::filesystem;

namespace {

void scale_features(DatasetSplit& d, double scale) {
  if (scale <= 0.0) {
    float mx = 0.0f;
    for (const Dataset* s : {&d.train, &d.test}) {
      for (float v : s->x) mx = std::max(mx, v);
    }
    scale = mx > 0.0f ? static_cast<double>(mx) : 1.0;
  }
  d.scale = scale;
  const auto inv = static_cast<float>(1.0 / scale);
  for (Dataset* s : {&d.train, &d.test}) {
    for (float& v : s->x) v = std::clamp(v * inv, 0.0f, 1.0f);
  }
}

DatasetSplit load_csv(const fs::path& path, std::size_t train_rows, double scale) {
  const std::string text = io::read_maybe_gzip(path);
  std::vector<std::vector<double>> rows;
  std::size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::vector<double> vals;
    std::size_t p = 0;
    bool numeric = true;
    while (p <= line.size()) {
      std::size_t q = line.find(',', p);
      if (q == std::string_view::npos) q = line.size();
      std::string_view field = line.substr(p, q - p);
      while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
      while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
      double v = 0;
      const auto r = std::from_chars(field.data(), field.data() + field.size(), v);
      if (r.ec != std::errc() || r.ptr != field.data() + field.size() || !std::isfinite(v)) {
        numeric = false;
        if (!rows.empty() || line_no > 1) {
          throw InputError(path.string() + ":" + std::to_string(line_no) + ": field '" +
                           std::string(field) + "' is not a finite number");
        }
        break;
      }
      vals.push_back(v);
      p = q + 1;
    }
    if (!numeric) continue;  // a header line
    if (vals.size() < 2) {
      throw InputError(path.string() + ":" + std::to_string(line_no) +
                       ": need at least one feature and a label");
    }
    if (!rows.empty() && vals.size() != rows.front().size()) {
      throw InputError(path.string() + ":" + std::to_string(line_no) + ": " +
                       std::to_string(vals.size()) + " columns, the first row has " +
                       std::to_string(rows.front().size()));
    }
    const double label = vals.back();
    if (label < 0 || label != std::floor(label) || label > 1e6) {
      throw InputError(path.string() + ":" + std::to_string(line_no) + ": label " +
                       std::to_string(label) + " is not a non-negative integer (last column)");
    }
    rows.push_back(std::move(vals));
  }
  if (rows.empty()) throw InputError(path.string() + ": no data rows");
  if (train_rows == 0 || train_rows >= rows.size()) {
    throw InputError(path.string() + " has " + std::to_string(rows.size()) +
                     " rows; data.train_rows = " + std::to_string(train_rows) +
                     " must leave at least one test row and train on at least one");
  }
  DatasetSplit d;
  d.format = "csv";
  const std::size_t F = rows.front().size() - 1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Dataset& s = i < train_rows ? d.train : d.test;
    s.features = F;
    s.x.insert(s.x.end(), rows[i].begin(), rows[i].begin() + static_cast<std::ptrdiff_t>(F));
    s.y.push_back(static_cast<int64_t>(rows[i].back()));
    d.classes = std::max(d.classes, static_cast<std::size_t>(rows[i].back()) + 1);
  }
  scale_features(d, scale);
  return d;
}

uint32_t be32(const std::string& b, std::size_t off) {
  const auto u = [&](std::size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(b[i])); };
  return (u(off) << 24) | (u(off + 1) << 16) | (u(off + 2) << 8) | u(off + 3);
}

fs::path idx_file(const fs::path& dir, const std::string& stem) {
  for (const char* ext : {"", ".gz"}) {
    const fs::path p = dir / (stem + ext);
    if (fs::is_regular_file(p)) return p;
  }
  throw InputError("MNIST directory " + dir.string() + " lacks " + stem + " (or " + stem + ".gz)");
}

Dataset load_idx_pair(const fs::path& images, const fs::path& labels, std::size_t& classes) {
  const std::string im = io::read_maybe_gzip(images);
  const std::string lb = io::read_maybe_gzip(labels);
  if (im.size() < 16 || be32(im, 0) != 0x00000803u) {
    throw InputError(images.string() + " is not an IDX image file (magic 0x00000803)");
  }
  if (lb.size() < 8 || be32(lb, 0) != 0x00000801u) {
    throw InputError(labels.string() + " is not an IDX label file (magic 0x00000801)");
  }
  const std::size_t n = be32(im, 4), rows = be32(im, 8), cols = be32(im, 12);
  if (im.size() != 16 + n * rows * cols) {
    throw InputError(images.string() + ": " + std::to_string(im.size()) + " bytes, header says " +
                     std::to_string(n) + " images of " + std::to_string(rows) + "x" +
                     std::to_string(cols) + " (" + std::to_string(16 + n * rows * cols) + ")");
  }
  if (be32(lb, 4) != n || lb.size() != 8 + n) {
    throw InputError(labels.string() + ": label count or size does not match " + images.string());
  }
  Dataset d;
  d.features = rows * cols;
  d.x.resize(n * d.features);
  for (std::size_t i = 0; i < d.x.size(); ++i) d.x[i] = static_cast<uint8_t>(im[16 + i]);
  d.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    d.y[i] = static_cast<uint8_t>(lb[8 + i]);
    classes = std::max(classes, static_cast<std::size_t>(d.y[i]) + 1);
  }
  return d;
}

}  // namespace

DatasetSplit load_dataset(const fs::path& path, std::size_t train_rows, double scale) {
  if (fs::is_directory(path)) {
    DatasetSplit d;
    d.format = "idx";
    d.train = load_idx_pair(idx_file(path, "train-images-idx3-ubyte"),
                            idx_file(path, "train-labels-idx1-ubyte"), d.classes);
    d.test = load_idx_pair(idx_file(path, "t10k-images-idx3-ubyte"),
                           idx_file(path, "t10k-labels-idx1-ubyte"), d.classes);
    if (d.train.features != d.test.features) {
      throw InputError("MNIST train and test images differ in size");
    }
    scale_features(d, scale > 0.0 ? scale : 255.0);
    return d;
  }
  return load_csv(path, train_rows, scale);
}

}  // namespace qneuro::snn
