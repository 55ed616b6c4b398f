// Thin RAII wrapper over the HDF5 C API for qneuro's own files.
//
// Conventions: datasets are written contiguous (or chunked+deflate when `compress` is set),
// row-major (C order) with the shape given, so h5py/NumPy read them as the same array. Strings are
// variable-length UTF-8. Attributes hang off the root ("/") or any group/dataset path. Numeric
// datasets: double, float, int32, int64, uint8. Errors: a file that is not HDF5 or lacks a dataset
// throws InputError naming the file and the object; write failures throw RuntimeError.
// HDF5's own error stack printing is silenced: our messages say what failed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace qneuro::io {

/// A dataset read back: flat row-major data and its shape.
template <typename T>
struct H5Array {
  std::vector<T> data;
  std::vector<uint64_t> shape;
};

class H5File {
 public:
  /// Creates (truncates) a file for writing. Use AtomicFile for outputs.
  static H5File create(const std::filesystem::path& path);
  /// Opens an existing file read-only. Throws InputError if missing or not HDF5.
  static H5File open_read(const std::filesystem::path& path);
  /// True if `path` starts with the HDF5 signature.
  static bool is_hdf5(const std::filesystem::path& path);

  H5File(H5File&& other) noexcept;
  H5File& operator=(H5File&& other) noexcept;
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;
  ~H5File();
  void close();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  /// Creates a group (and missing parents), e.g. "diagnostics/energy" parents.
  void create_group(const std::string& name);
  [[nodiscard]] bool exists(const std::string& name) const;

  // Datasets. `name` may contain '/' (parent groups are created). shape product == data.size().
  void write(const std::string& name, std::span<const double> data,
             const std::vector<uint64_t>& shape, bool compress = false);
  void write(const std::string& name, std::span<const float> data,
             const std::vector<uint64_t>& shape, bool compress = false);
  void write(const std::string& name, std::span<const int32_t> data,
             const std::vector<uint64_t>& shape, bool compress = false);
  void write(const std::string& name, std::span<const int64_t> data,
             const std::vector<uint64_t>& shape, bool compress = false);
  void write(const std::string& name, std::span<const uint8_t> data,
             const std::vector<uint64_t>& shape, bool compress = false);
  void write_strings(const std::string& name, const std::vector<std::string>& values);

  // Reading. Numeric reads convert from any stored numeric type.
  /// The shape of a dataset without reading it (to decide how much of it to read).
  [[nodiscard]] std::vector<uint64_t> shape(const std::string& name) const;
  [[nodiscard]] H5Array<double> read_double(const std::string& name) const;
  [[nodiscard]] H5Array<float> read_float(const std::string& name) const;
  [[nodiscard]] H5Array<uint8_t> read_uint8(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> read_strings(const std::string& name) const;

  // Attributes on an object ("/" for the root). Overwrites an existing attribute.
  void set_attr(const std::string& object, const std::string& name, double value);
  void set_attr(const std::string& object, const std::string& name, int64_t value);
  void set_attr(const std::string& object, const std::string& name, const std::string& value);
  void set_attr(const std::string& object, const std::string& name, const char* value);
  void set_attr(const std::string& object, const std::string& name,
                const std::vector<double>& values);
  void set_attr(const std::string& object, const std::string& name,
                const std::vector<std::string>& values);
  [[nodiscard]] bool has_attr(const std::string& object, const std::string& name) const;
  [[nodiscard]] double attr_double(const std::string& object, const std::string& name) const;
  [[nodiscard]] int64_t attr_int(const std::string& object, const std::string& name) const;
  [[nodiscard]] std::string attr_string(const std::string& object, const std::string& name) const;
  [[nodiscard]] std::vector<double> attr_doubles(const std::string& object,
                                                 const std::string& name) const;
  [[nodiscard]] std::vector<std::string> attr_strings(const std::string& object,
                                                      const std::string& name) const;

 private:
  H5File(int64_t id, std::filesystem::path path, bool writable);
  int64_t id_ = -1;  // hid_t, kept as int64_t so this header does not include hdf5.h
  std::filesystem::path path_;
  bool writable_ = false;
};

}  // namespace qneuro::io
