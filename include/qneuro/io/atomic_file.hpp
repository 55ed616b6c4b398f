// Atomic file output: write to a temporary sibling, then rename over the destination.
//
// A reader (or a crashed run) never sees a half-written output: either the previous file or the
// complete new one exists. The temporary lives in the destination's directory (same filesystem,
// so rename(2) is atomic) and is named "<name>.tmp.<pid>.<n>". If commit() is never called (an
// exception unwinds), the destructor removes the temporary and leaves the destination untouched.
#pragma once

#include <filesystem>
#include <string_view>

namespace qneuro::io {

class AtomicFile {
 public:
  /// Prepares a temporary path next to `destination`. Creates missing parent directories.
  /// Throws RuntimeError if the directory cannot be created.
  explicit AtomicFile(std::filesystem::path destination);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  /// Where to write (any API: ofstream, HDF5, ...). Close the file before commit().
  [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_; }
  [[nodiscard]] const std::filesystem::path& destination() const { return dest_; }

  /// fsync()s the temporary and renames it over the destination. Throws RuntimeError on failure.
  void commit();

 private:
  std::filesystem::path dest_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

/// Writes `content` to `path` atomically (text or binary, byte for byte).
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Reads a whole file. Throws InputError naming the file if it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

}  // namespace qneuro::io
