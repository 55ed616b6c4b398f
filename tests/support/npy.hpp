// A tiny header-only writer of NumPy .npy files, so that tests can hand arrays to Python checks.
//
// Format v1.0 (numpy.lib.format): the magic "\x93NUMPY", version bytes 1 0, the header length as
// a little-endian uint16, then the header: a Python dict literal
// "{'descr': '<f8', 'fortran_order': False, 'shape': (R, C), }" padded with spaces and ended by
// '\n' so that the whole preamble (10 bytes + header) is a multiple of 64 bytes; then the data,
// float64 little-endian in C order (row after row).
#pragma once

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace qneuro::testing {

/// Writes `rows` as a float64 array [rows.size() x rows[0].size()] in C order. Every row must
/// have the same length. Throws std::runtime_error for ragged rows or an I/O failure.
inline void write_npy(const std::filesystem::path& path,
                      const std::vector<std::vector<double>>& rows) {
  const std::size_t n_rows = rows.size();
  const std::size_t n_cols = rows.empty() ? 0 : rows.front().size();
  for (const auto& row : rows) {
    if (row.size() != n_cols) {
      throw std::runtime_error("write_npy: ragged rows for " + path.string());
    }
  }

  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                       std::to_string(n_rows) + ", " + std::to_string(n_cols) + "), }";
  constexpr std::size_t kPrefix = 10;  // magic (6) + version (2) + header length (2)
  const std::size_t unpadded = kPrefix + header.size() + 1;  // + the final '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) throw std::runtime_error("write_npy: header too long");

  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  const auto header_len = static_cast<uint16_t>(header.size());
  bytes += static_cast<char>(header_len & 0xFFU);
  bytes += static_cast<char>((header_len >> 8U) & 0xFFU);
  bytes += header;
  bytes.reserve(bytes.size() + n_rows * n_cols * 8);
  for (const auto& row : rows) {
    for (const double v : row) {
      const auto u = std::bit_cast<uint64_t>(v);
      for (unsigned b = 0; b < 8; ++b) bytes += static_cast<char>((u >> (8U * b)) & 0xFFU);
    }
  }

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("write_npy: cannot write " + path.string());
}

}  // namespace qneuro::testing
