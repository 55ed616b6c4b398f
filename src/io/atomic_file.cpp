#include "qneuro/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "qneuro/core/error.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;

namespace {
std::atomic<unsigned> g_counter{0};

std::string errno_text() {
  return std::strerror(errno);
}

// fsync a path so that the rename that follows publishes complete data after a crash.
void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return;  // best effort: the rename is still atomic
  ::fsync(fd);
  ::close(fd);
}
}  // namespace

AtomicFile::AtomicFile(fs::path destination) : dest_(std::move(destination)) {
  const fs::path parent = dest_.has_parent_path() ? dest_.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    throw RuntimeError("cannot create output directory '" + parent.string() + "': " + ec.message());
  }
  temp_ = parent / (dest_.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(g_counter.fetch_add(1)));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  if (committed_) return;
  if (!fs::exists(temp_)) {
    throw RuntimeError("internal error: nothing was written to '" + temp_.string() +
                       "' before committing '" + dest_.string() + "'");
  }
  fsync_path(temp_);
  if (std::rename(temp_.c_str(), dest_.c_str()) != 0) {
    throw RuntimeError("cannot move '" + temp_.string() + "' to '" + dest_.string() +
                       "': " + errno_text());
  }
  committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    if (!out) throw RuntimeError("cannot open '" + file.temp_path().string() + "' for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw RuntimeError("write failed for '" + file.temp_path().string() + "'");
  }
  file.commit();
}

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("file not found: '" + path.string() + "'");
  if (fs::is_directory(path, ec)) {
    throw InputError("'" + path.string() + "' is a directory, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open '" + path.string() + "': " + errno_text());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError("error while reading '" + path.string() + "'");
  return std::move(ss).str();
}

}  // namespace qneuro::io
