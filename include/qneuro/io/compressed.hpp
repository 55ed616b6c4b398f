// Reading files that may be gzip-compressed (datasets such as digits.csv.gz or MNIST's .gz IDX
// files): zlib detects the format, plain files pass through unchanged.
#pragma once

#include <filesystem>
#include <string>

namespace qneuro::io {

/// The whole file as bytes, gunzipped if it is gzip-compressed. Throws InputError naming the
/// file if it is missing, unreadable, or a corrupt or truncated gzip stream.
std::string read_maybe_gzip(const std::filesystem::path& path);

}  // namespace qneuro::io
