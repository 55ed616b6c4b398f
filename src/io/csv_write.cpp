#include <cmath>
#include <cstdio>
#include <fstream>

#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/csv.hpp"

namespace qneuro::io {

void write_csv(const std::filesystem::path& path, const std::vector<std::string>& channels,
               const std::vector<std::vector<double>>& data, double sfreq_hz) {
  if (channels.size() != data.size()) {
    throw InputError("write_csv: " + std::to_string(channels.size()) + " names for " +
                     std::to_string(data.size()) + " channels");
  }
  const std::size_t n = data.empty() ? 0 : data.front().size();
  for (std::size_t c = 0; c < data.size(); ++c) {
    if (data[c].size() != n) {
      throw InputError("write_csv: channel '" + channels[c] + "' has " +
                       std::to_string(data[c].size()) + " samples, the first has " +
                       std::to_string(n));
    }
    for (std::size_t t = 0; t < n; ++t) {
      if (!std::isfinite(data[c][t])) {
        throw InputError("write_csv: channel '" + channels[c] +
                         "' has a non-finite value at sample " + std::to_string(t));
      }
    }
  }
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    if (!f) throw RuntimeError("cannot open '" + out.temp_path().string() + "' for writing");
    f << "time_s";
    for (const auto& c : channels) {
      if (c.find_first_of(",;\t\"") == std::string::npos) {
        f << ',' << c;
        continue;
      }
      f << ",\"";  // quoted, inner quotes doubled (RFC 4180)
      for (char ch : c) f << (ch == '"' ? "\"\"" : std::string(1, ch));
      f << '"';
    }
    f << '\n';
    char buf[32];
    for (std::size_t t = 0; t < n; ++t) {
      std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(t) / sfreq_hz);
      f << buf;
      for (const auto& ch : data) {
        std::snprintf(buf, sizeof buf, ",%.17g", ch[t]);
        f << buf;
      }
      f << '\n';
    }
    if (!f) throw RuntimeError("write failed for '" + out.temp_path().string() + "'");
  }
  out.commit();
}

}  // namespace qneuro::io
