#include "qneuro/io/compressed.hpp"

#include <zlib.h>

#include <memory>

#include "qneuro/core/error.hpp"

namespace qneuro::io {

std::string read_maybe_gzip(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError("data file not found: " + path.string());
  }
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) throw InputError("cannot open data file " + path.string());
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f.get(), buf, sizeof(buf));
    if (n < 0) throw InputError("corrupt or truncated compressed file " + path.string());
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace qneuro::io
