#include "qneuro/io/hdf5.hpp"

#include <hdf5.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>

#include "qneuro/core/error.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;

static_assert(std::is_same_v<hid_t, int64_t>, "the header stores hid_t as int64_t");

namespace {

// Datasets up to this many bytes per chunk stay within HDF5's default 1 MiB chunk cache, so a
// chunk is decompressed once per read; deflate still sees enough data to compress well.
constexpr size_t kMaxChunkBytes = size_t{1} << 20;
constexpr unsigned kDeflateLevel = 4;

using Closer = herr_t (*)(hid_t);

// Owns one HDF5 identifier and closes it exactly once, also when an exception unwinds.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }
  void reset() noexcept {
    if (id_ >= 0) closer_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Our exceptions say what failed; HDF5's default handler would also dump its stack to stderr.
void silence_hdf5_error_printing() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

std::string in_quotes(const std::string& s) {
  return "'" + s + "'";
}

// The innermost entry of HDF5's error stack is the most specific reason (e.g. errno text).
std::string hdf5_reason() {
  std::string reason;
  auto visit = [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
    if (n == 0 && err != nullptr && err->desc != nullptr) {
      *static_cast<std::string*>(data) = err->desc;
    }
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &reason);
  // File errors embed strerror() as "error message = '...'"; that part is what a user needs.
  const std::string marker = "error message = '";
  const size_t at = reason.find(marker);
  if (at != std::string::npos) {
    const size_t begin = at + marker.size();
    const size_t end = reason.find('\'', begin);
    return reason.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }
  return reason.empty() ? "unknown HDF5 error" : reason;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::string type_class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "floating-point";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_ARRAY:
      return "array";
    default:
      return "unknown";
  }
}

// Splits "a//b/c/" into {"a", "b", "c"}.
std::vector<std::string> path_components(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    if (end > start) parts.push_back(name.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// H5Lexists fails (rather than answering false) when an intermediate group is missing, so every
// prefix is checked in turn; H5Oexists_by_name then rejects dangling soft links.
bool object_exists(hid_t file, const std::string& name) {
  std::string prefix;
  for (const std::string& part : path_components(name)) {
    prefix += "/" + part;
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  if (prefix.empty()) return true;  // the root group
  return H5Oexists_by_name(file, prefix.c_str(), H5P_DEFAULT) > 0;
}

bool is_group(hid_t file, const std::string& name) {
  Handle object(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose);
  return object.valid() && H5Iget_type(object.get()) == H5I_GROUP;
}

// Before creating `name`: every existing parent must be a group (HDF5's own message for a
// dataset in the way, "message type not found", would not help anyone).
void require_group_parents(hid_t file, const std::string& name, const std::string& what) {
  const std::vector<std::string> parts = path_components(name);
  std::string prefix;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    prefix += (i == 0 ? "" : "/") + parts[i];
    if (!object_exists(file, prefix)) return;
    if (!is_group(file, prefix)) {
      throw RuntimeError("cannot create " + what + ": " + in_quotes(prefix) +
                         " is a dataset, not a group");
    }
  }
}

// Link names are UTF-8 and missing parent groups are created on the way.
Handle intermediate_group_plist() {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  if (!lcpl.valid() || H5Pset_create_intermediate_group(lcpl.get(), 1) < 0 ||
      H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8) < 0) {
    throw RuntimeError("cannot set up HDF5 link creation properties: " + hdf5_reason());
  }
  return lcpl;
}

// Strong close degree: H5Fclose really closes the file (needed before an atomic rename).
// Library format 1.8 as the lower bound allows attributes larger than 64 KiB (dense storage);
// every HDF5 >= 1.8 and h5py read it.
Handle file_access_plist() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.valid() || H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0 ||
      H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18) < 0) {
    throw RuntimeError("cannot set up HDF5 file access properties: " + hdf5_reason());
  }
  return fapl;
}

Handle vlen_utf8_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0) {
    throw RuntimeError("cannot create the HDF5 string type: " + hdf5_reason());
  }
  return type;
}

// Scalar dataspace for an empty shape, simple dataspace otherwise (zero extents allowed).
Handle make_dataspace(const std::vector<uint64_t>& shape) {
  Handle space;
  if (shape.empty()) {
    space = Handle(H5Screate(H5S_SCALAR), H5Sclose);
  } else {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    space = Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  }
  if (!space.valid()) {
    throw RuntimeError("cannot create an HDF5 dataspace of shape " + shape_text(shape) + ": " +
                       hdf5_reason());
  }
  return space;
}

// Number of elements of `shape`, or false if the product overflows.
bool element_count(const std::vector<uint64_t>& shape, uint64_t& count) {
  count = 1;
  for (const uint64_t extent : shape) {
    if (extent != 0 && count > std::numeric_limits<uint64_t>::max() / extent) return false;
    count *= extent;
  }
  return true;
}

// Halves the longest chunk extent until a chunk fits kMaxChunkBytes; starts from the full shape so
// chunks never exceed the (fixed) dataset extents.
std::vector<hsize_t> chunk_shape(const std::vector<uint64_t>& shape, size_t element_size) {
  std::vector<hsize_t> chunk(shape.begin(), shape.end());
  auto chunk_bytes = [&] {
    double bytes = static_cast<double>(element_size);
    for (const hsize_t extent : chunk) bytes *= static_cast<double>(extent);
    return bytes;
  };
  while (chunk_bytes() > static_cast<double>(kMaxChunkBytes)) {
    size_t longest = 0;
    for (size_t i = 1; i < chunk.size(); ++i) {
      if (chunk[i] > chunk[longest]) longest = i;
    }
    if (chunk[longest] == 1) break;
    chunk[longest] = (chunk[longest] + 1) / 2;
  }
  return chunk;
}

Handle dataset_create_plist(const std::vector<uint64_t>& shape, uint64_t count, size_t element_size,
                            bool compress, const std::string& what) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!dcpl.valid()) throw RuntimeError("cannot create " + what + ": " + hdf5_reason());
  // Scalars and empty datasets cannot be chunked (a chunk extent must be positive); they hold
  // nothing worth compressing anyway.
  if (compress && !shape.empty() && count > 0) {
    const std::vector<hsize_t> chunk = chunk_shape(shape, element_size);
    if (H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) < 0 ||
        H5Pset_deflate(dcpl.get(), kDeflateLevel) < 0) {
      throw RuntimeError("cannot set up compression for " + what + ": " + hdf5_reason());
    }
  }
  return dcpl;
}

class FileRef {
 public:
  FileRef(hid_t id, const fs::path& path) : id_(id), name_(path.string()) {}
  [[nodiscard]] hid_t id() const { return id_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::string dataset(const std::string& dataset_name) const {
    return "dataset " + in_quotes(dataset_name) + " in " + in_quotes(name_);
  }
  [[nodiscard]] std::string attribute(const std::string& object, const std::string& attr) const {
    return "attribute " + in_quotes(attr) + " of " + in_quotes(object) + " in " + in_quotes(name_);
  }

 private:
  hid_t id_;
  std::string name_;
};

void write_dataset(const FileRef& file, const std::string& name, const void* data, size_t size,
                   const std::vector<uint64_t>& shape, hid_t memory_type, hid_t file_type,
                   size_t element_size, bool compress) {
  const std::string what = file.dataset(name);
  if (path_components(name).empty()) {
    throw RuntimeError("cannot write " + what + ": a dataset needs a name");
  }
  uint64_t count = 0;
  const bool representable = element_count(shape, count);
  if (!representable || count != size) {
    throw RuntimeError("cannot write " + what + ": shape " + shape_text(shape) + " holds " +
                       (representable ? std::to_string(count) : "more than 2^64") + " values but " +
                       std::to_string(size) + " were given");
  }
  Handle space = make_dataspace(shape);
  Handle dcpl = dataset_create_plist(shape, count, element_size, compress, what);
  require_group_parents(file.id(), name, what);
  Handle lcpl = intermediate_group_plist();
  // Writing a name twice replaces the earlier dataset, like attributes.
  if (object_exists(file.id(), name) && H5Ldelete(file.id(), name.c_str(), H5P_DEFAULT) < 0) {
    throw RuntimeError("cannot replace existing " + what + ": " + hdf5_reason());
  }
  Handle dataset(H5Dcreate2(file.id(), name.c_str(), file_type, space.get(), lcpl.get(), dcpl.get(),
                            H5P_DEFAULT),
                 H5Dclose);
  if (!dataset.valid()) throw RuntimeError("cannot create " + what + ": " + hdf5_reason());
  // H5Dwrite rejects a null buffer even when there is nothing to write.
  if (count > 0 && H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    throw RuntimeError("cannot write " + what + ": " + hdf5_reason());
  }
}

// Something holding typed elements: a dataset or an attribute, read the same way.
struct Source {
  hid_t id;
  bool is_attribute;
  std::string what;  // for messages, e.g. "dataset 'x' in 'f.h5'"
};

Handle source_type(const Source& source) {
  Handle type(source.is_attribute ? H5Aget_type(source.id) : H5Dget_type(source.id), H5Tclose);
  if (!type.valid()) throw InputError("cannot read the type of " + source.what);
  return type;
}

Handle source_space(const Source& source) {
  Handle space(source.is_attribute ? H5Aget_space(source.id) : H5Dget_space(source.id), H5Sclose);
  if (!space.valid()) throw InputError("cannot read the shape of " + source.what);
  return space;
}

herr_t read_source(const Source& source, hid_t memory_type, void* buffer) {
  if (source.is_attribute) return H5Aread(source.id, memory_type, buffer);
  return H5Dread(source.id, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
}

// Shape of a dataspace: {} for a scalar, {0} for a null dataspace (no elements).
std::vector<uint64_t> read_shape(hid_t space, const std::string& what) {
  const H5S_class_t space_class = H5Sget_simple_extent_type(space);
  if (space_class == H5S_SCALAR) return {};
  if (space_class == H5S_NULL) return {0};
  const int rank = H5Sget_simple_extent_ndims(space);
  if (space_class != H5S_SIMPLE || rank < 0) throw InputError("cannot read the shape of " + what);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0) {
    throw InputError("cannot read the shape of " + what);
  }
  return {dims.begin(), dims.end()};
}

// Element count of a stored shape that must fit in memory as `element_size`-byte values.
size_t checked_count(const std::vector<uint64_t>& shape, size_t element_size,
                     const std::string& what) {
  uint64_t count = 0;
  if (!element_count(shape, count) ||
      count > std::numeric_limits<size_t>::max() / element_size / 2) {
    throw InputError(what + " has shape " + shape_text(shape) + ", too large to read");
  }
  return static_cast<size_t>(count);
}

template <typename T>
std::vector<T> allocate(size_t count, const std::string& what) {
  try {
    return std::vector<T>(count);
  } catch (const std::bad_alloc&) {
    throw InputError("not enough memory to read " + what + " (" + std::to_string(count) +
                     " values)");
  }
}

template <typename T>
H5Array<T> read_numeric(const Source& source, hid_t memory_type) {
  Handle type = source_type(source);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
    throw InputError(source.what + " holds " + type_class_name(type_class) +
                     " data, expected numbers");
  }
  Handle space = source_space(source);
  H5Array<T> result;
  result.shape = read_shape(space.get(), source.what);
  result.data = allocate<T>(checked_count(result.shape, sizeof(T), source.what), source.what);
  if (!result.data.empty() && read_source(source, memory_type, result.data.data()) < 0) {
    throw InputError("cannot read " + source.what + ": " + hdf5_reason());
  }
  return result;
}

// Frees the strings HDF5 allocated for a variable-length read, also when an exception unwinds.
class VlenStrings {
 public:
  VlenStrings(size_t count, hid_t memory_type, hid_t space)
      : pointers_(count, nullptr), memory_type_(memory_type), space_(space) {}
  VlenStrings(const VlenStrings&) = delete;
  VlenStrings& operator=(const VlenStrings&) = delete;
  ~VlenStrings() {
    if (!pointers_.empty()) H5Dvlen_reclaim(memory_type_, space_, H5P_DEFAULT, pointers_.data());
  }
  [[nodiscard]] std::vector<char*>& pointers() { return pointers_; }

 private:
  std::vector<char*> pointers_;
  hid_t memory_type_;
  hid_t space_;
};

std::vector<std::string> read_variable_strings(const Source& source, hid_t file_type, hid_t space,
                                               size_t count) {
  Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
  // Same character set as stored: HDF5 refuses to convert between ASCII and UTF-8.
  if (!memory_type.valid() || H5Tset_size(memory_type.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(memory_type.get(), H5Tget_cset(file_type)) < 0) {
    throw InputError("cannot set up a string type to read " + source.what);
  }
  VlenStrings buffer(count, memory_type.get(), space);
  if (read_source(source, memory_type.get(), buffer.pointers().data()) < 0) {
    throw InputError("cannot read " + source.what + ": " + hdf5_reason());
  }
  std::vector<std::string> values;
  values.reserve(count);
  for (const char* p : buffer.pointers()) values.emplace_back(p == nullptr ? "" : p);
  return values;
}

// Fixed-length strings (as h5py writes NumPy 'S' arrays): each element is `size` bytes, ended
// by the first NUL or padded with NULs or spaces, depending on the stored padding.
std::vector<std::string> read_fixed_strings(const Source& source, hid_t file_type, size_t count) {
  const size_t size = H5Tget_size(file_type);
  if (size == 0 || count > std::numeric_limits<size_t>::max() / size / 2) {
    throw InputError(source.what + " has an invalid string size");
  }
  Handle memory_type(H5Tcopy(file_type), H5Tclose);
  if (!memory_type.valid()) throw InputError("cannot set up a string type to read " + source.what);
  std::vector<char> bytes = allocate<char>(count * size, source.what);
  if (read_source(source, memory_type.get(), bytes.data()) < 0) {
    throw InputError("cannot read " + source.what + ": " + hdf5_reason());
  }
  const bool space_padded = H5Tget_strpad(file_type) == H5T_STR_SPACEPAD;
  std::vector<std::string> values;
  values.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const char* element = bytes.data() + i * size;
    size_t length = 0;
    while (length < size && element[length] != '\0') ++length;
    if (space_padded) {
      while (length > 0 && element[length - 1] == ' ') --length;
    }
    values.emplace_back(element, length);
  }
  return values;
}

std::vector<std::string> read_string_values(const Source& source) {
  Handle type = source_type(source);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_STRING) {
    throw InputError(source.what + " holds " + type_class_name(type_class) +
                     " data, expected strings");
  }
  Handle space = source_space(source);
  const std::vector<uint64_t> shape = read_shape(space.get(), source.what);
  const size_t count = checked_count(shape, sizeof(char*), source.what);
  if (count == 0) return {};
  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) throw InputError("cannot read the string type of " + source.what);
  if (variable > 0) return read_variable_strings(source, type.get(), space.get(), count);
  return read_fixed_strings(source, type.get(), count);
}

// Opens a dataset of a file being read; a missing one is an input error.
Handle open_dataset(const FileRef& file, const std::string& name) {
  if (path_components(name).empty() || !object_exists(file.id(), name)) {
    throw InputError("dataset " + in_quotes(name) + " not found in " + in_quotes(file.name()));
  }
  Handle object(H5Oopen(file.id(), name.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid()) throw InputError("cannot open " + file.dataset(name) + ": " + hdf5_reason());
  if (H5Iget_type(object.get()) != H5I_DATASET) {
    throw InputError(in_quotes(name) + " in " + in_quotes(file.name()) +
                     " is a group, not a dataset");
  }
  return object;
}

// Opens the object an attribute hangs off. `missing_is_input` picks the exception class: reading
// from a file that lacks the object is bad input, writing to it is a caller's mistake.
Handle open_object(const FileRef& file, const std::string& object, bool missing_is_input) {
  if (!object_exists(file.id(), object)) {
    const std::string message =
        "object " + in_quotes(object) + " not found in " + in_quotes(file.name());
    if (missing_is_input) throw InputError(message);
    throw RuntimeError("cannot set an attribute: " + message);
  }
  Handle handle(H5Oopen(file.id(), object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!handle.valid()) {
    const std::string message = "cannot open object " + in_quotes(object) + " in " +
                                in_quotes(file.name()) + ": " + hdf5_reason();
    if (missing_is_input) throw InputError(message);
    throw RuntimeError(message);
  }
  return handle;
}

Handle open_attribute(const FileRef& file, const std::string& object, const std::string& name) {
  Handle owner = open_object(file, object, true);
  const htri_t exists = H5Aexists(owner.get(), name.c_str());
  if (exists <= 0) {
    throw InputError("attribute " + in_quotes(name) + " not found on " + in_quotes(object) +
                     " in " + in_quotes(file.name()));
  }
  Handle attribute(H5Aopen(owner.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.valid()) {
    throw InputError("cannot open " + file.attribute(object, name) + ": " + hdf5_reason());
  }
  return attribute;
}

void write_attribute(const FileRef& file, const std::string& object, const std::string& name,
                     hid_t file_type, hid_t memory_type, const std::vector<uint64_t>& shape,
                     const void* data) {
  const std::string what = file.attribute(object, name);
  if (name.empty()) throw RuntimeError("cannot set " + what + ": an attribute needs a name");
  Handle owner = open_object(file, object, false);
  const htri_t exists = H5Aexists(owner.get(), name.c_str());
  if (exists < 0 || (exists > 0 && H5Adelete(owner.get(), name.c_str()) < 0)) {
    throw RuntimeError("cannot replace " + what + ": " + hdf5_reason());
  }
  Handle space = make_dataspace(shape);
  Handle acpl(H5Pcreate(H5P_ATTRIBUTE_CREATE), H5Pclose);
  if (!acpl.valid() || H5Pset_char_encoding(acpl.get(), H5T_CSET_UTF8) < 0) {
    throw RuntimeError("cannot set up " + what + ": " + hdf5_reason());
  }
  Handle attribute(
      H5Acreate2(owner.get(), name.c_str(), file_type, space.get(), acpl.get(), H5P_DEFAULT),
      H5Aclose);
  if (!attribute.valid()) throw RuntimeError("cannot create " + what + ": " + hdf5_reason());
  uint64_t count = 0;
  element_count(shape, count);
  if (count > 0 && H5Awrite(attribute.get(), memory_type, data) < 0) {
    throw RuntimeError("cannot write " + what + ": " + hdf5_reason());
  }
}

// C strings for a variable-length string write; an embedded NUL would silently cut the value.
std::vector<const char*> c_strings(const std::vector<std::string>& values,
                                   const std::string& what) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].find('\0') != std::string::npos) {
      throw RuntimeError("cannot write " + what + ": string " + std::to_string(i) +
                         " contains a NUL byte");
    }
    pointers.push_back(values[i].c_str());
  }
  return pointers;
}

// Shortest text that reads back as the same double.
std::string number_text(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

std::string single_value_error(const std::string& what, size_t count) {
  return what + " holds " + std::to_string(count) + " values, expected a single value";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// H5File

H5File::H5File(int64_t id, fs::path path, bool writable)
    : id_(id), path_(std::move(path)), writable_(writable) {}

H5File H5File::create(const fs::path& path) {
  silence_hdf5_error_printing();
  Handle fapl = file_access_plist();
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (id < 0) {
    throw RuntimeError("cannot create HDF5 file " + in_quotes(path.string()) + ": " +
                       hdf5_reason());
  }
  return H5File(id, path, true);
}

H5File H5File::open_read(const fs::path& path) {
  silence_hdf5_error_printing();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("file not found: " + in_quotes(path.string()));
  if (fs::is_directory(path, ec)) {
    throw InputError(in_quotes(path.string()) + " is a directory, expected an HDF5 file");
  }
  const htri_t signature = H5Fis_hdf5(path.c_str());
  if (signature == 0) {
    throw InputError(in_quotes(path.string()) + " is not an HDF5 file (no HDF5 signature found)");
  }
  if (signature < 0) {
    throw InputError("cannot read " + in_quotes(path.string()) + ": " + hdf5_reason());
  }
  Handle fapl = file_access_plist();
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (id < 0) {
    throw InputError("cannot open HDF5 file " + in_quotes(path.string()) +
                     " (damaged or truncated?): " + hdf5_reason());
  }
  return H5File(id, path, false);
}

bool H5File::is_hdf5(const fs::path& path) {
  static constexpr std::array<char, 8> kSignature = {'\x89', 'H',  'D',    'F',
                                                     '\r',   '\n', '\x1a', '\n'};
  std::ifstream in(path, std::ios::binary);
  std::array<char, 8> head{};
  if (!in.read(head.data(), head.size())) return false;
  return head == kSignature;
}

H5File::H5File(H5File&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      path_(std::move(other.path_)),
      writable_(std::exchange(other.writable_, false)) {}

H5File& H5File::operator=(H5File&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) H5Fclose(id_);
    id_ = std::exchange(other.id_, -1);
    path_ = std::move(other.path_);
    writable_ = std::exchange(other.writable_, false);
  }
  return *this;
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(id_);
}

void H5File::close() {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, -1);
  if (H5Fclose(id) < 0) {
    throw RuntimeError("cannot close HDF5 file " + in_quotes(path_.string()) +
                       (writable_ ? " (its data may be incomplete): " : ": ") + hdf5_reason());
  }
}

namespace {

FileRef open_file(int64_t id, const fs::path& path) {
  if (id < 0) throw RuntimeError("HDF5 file " + in_quotes(path.string()) + " is closed");
  return {id, path};
}

FileRef writable_file(int64_t id, const fs::path& path, bool writable) {
  FileRef file = open_file(id, path);
  if (!writable) {
    throw RuntimeError("HDF5 file " + in_quotes(path.string()) + " is open read-only");
  }
  return file;
}

}  // namespace

void H5File::create_group(const std::string& name) {
  const FileRef file = writable_file(id_, path_, writable_);
  if (object_exists(file.id(), name)) {
    if (!is_group(file.id(), name)) {
      throw RuntimeError("cannot create group " + in_quotes(name) + " in " +
                         in_quotes(file.name()) + ": a dataset of that name exists");
    }
    return;
  }
  require_group_parents(file.id(), name,
                        "group " + in_quotes(name) + " in " + in_quotes(file.name()));
  Handle lcpl = intermediate_group_plist();
  Handle group(H5Gcreate2(file.id(), name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!group.valid()) {
    throw RuntimeError("cannot create group " + in_quotes(name) + " in " + in_quotes(file.name()) +
                       ": " + hdf5_reason());
  }
}

bool H5File::exists(const std::string& name) const {
  return object_exists(open_file(id_, path_).id(), name);
}

void H5File::write(const std::string& name, std::span<const double> data,
                   const std::vector<uint64_t>& shape, bool compress) {
  write_dataset(writable_file(id_, path_, writable_), name, data.data(), data.size(), shape,
                H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, sizeof(double), compress);
}

void H5File::write(const std::string& name, std::span<const float> data,
                   const std::vector<uint64_t>& shape, bool compress) {
  write_dataset(writable_file(id_, path_, writable_), name, data.data(), data.size(), shape,
                H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, sizeof(float), compress);
}

void H5File::write(const std::string& name, std::span<const int32_t> data,
                   const std::vector<uint64_t>& shape, bool compress) {
  write_dataset(writable_file(id_, path_, writable_), name, data.data(), data.size(), shape,
                H5T_NATIVE_INT32, H5T_STD_I32LE, sizeof(int32_t), compress);
}

void H5File::write(const std::string& name, std::span<const int64_t> data,
                   const std::vector<uint64_t>& shape, bool compress) {
  write_dataset(writable_file(id_, path_, writable_), name, data.data(), data.size(), shape,
                H5T_NATIVE_INT64, H5T_STD_I64LE, sizeof(int64_t), compress);
}

void H5File::write(const std::string& name, std::span<const uint8_t> data,
                   const std::vector<uint64_t>& shape, bool compress) {
  write_dataset(writable_file(id_, path_, writable_), name, data.data(), data.size(), shape,
                H5T_NATIVE_UINT8, H5T_STD_U8LE, sizeof(uint8_t), compress);
}

void H5File::write_strings(const std::string& name, const std::vector<std::string>& values) {
  const FileRef file = writable_file(id_, path_, writable_);
  const std::vector<const char*> pointers = c_strings(values, file.dataset(name));
  Handle type = vlen_utf8_string_type();
  write_dataset(file, name, pointers.data(), pointers.size(), {pointers.size()}, type.get(),
                type.get(), sizeof(char*), false);
}

H5Array<double> H5File::read_double(const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle dataset = open_dataset(file, name);
  return read_numeric<double>({dataset.get(), false, file.dataset(name)}, H5T_NATIVE_DOUBLE);
}

std::vector<uint64_t> H5File::shape(const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle dataset = open_dataset(file, name);
  Handle space = source_space({dataset.get(), false, file.dataset(name)});
  return read_shape(space.get(), file.dataset(name));
}

H5Array<float> H5File::read_float(const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle dataset = open_dataset(file, name);
  return read_numeric<float>({dataset.get(), false, file.dataset(name)}, H5T_NATIVE_FLOAT);
}

H5Array<uint8_t> H5File::read_uint8(const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle dataset = open_dataset(file, name);
  return read_numeric<uint8_t>({dataset.get(), false, file.dataset(name)}, H5T_NATIVE_UINT8);
}

std::vector<std::string> H5File::read_strings(const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle dataset = open_dataset(file, name);
  return read_string_values({dataset.get(), false, file.dataset(name)});
}

// ---------------------------------------------------------------------------------------------
// Attributes

void H5File::set_attr(const std::string& object, const std::string& name, double value) {
  write_attribute(writable_file(id_, path_, writable_), object, name, H5T_IEEE_F64LE,
                  H5T_NATIVE_DOUBLE, {}, &value);
}

void H5File::set_attr(const std::string& object, const std::string& name, int64_t value) {
  write_attribute(writable_file(id_, path_, writable_), object, name, H5T_STD_I64LE,
                  H5T_NATIVE_INT64, {}, &value);
}

void H5File::set_attr(const std::string& object, const std::string& name,
                      const std::string& value) {
  const FileRef file = writable_file(id_, path_, writable_);
  const std::vector<std::string> values{value};
  const std::vector<const char*> pointers = c_strings(values, file.attribute(object, name));
  Handle type = vlen_utf8_string_type();
  write_attribute(file, object, name, type.get(), type.get(), {}, pointers.data());
}

void H5File::set_attr(const std::string& object, const std::string& name, const char* value) {
  if (value == nullptr) {
    throw RuntimeError("cannot set " + FileRef(id_, path_).attribute(object, name) +
                       ": the value is a null pointer");
  }
  set_attr(object, name, std::string(value));
}

void H5File::set_attr(const std::string& object, const std::string& name,
                      const std::vector<double>& values) {
  write_attribute(writable_file(id_, path_, writable_), object, name, H5T_IEEE_F64LE,
                  H5T_NATIVE_DOUBLE, {values.size()}, values.data());
}

void H5File::set_attr(const std::string& object, const std::string& name,
                      const std::vector<std::string>& values) {
  const FileRef file = writable_file(id_, path_, writable_);
  const std::vector<const char*> pointers = c_strings(values, file.attribute(object, name));
  Handle type = vlen_utf8_string_type();
  write_attribute(file, object, name, type.get(), type.get(), {pointers.size()}, pointers.data());
}

bool H5File::has_attr(const std::string& object, const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  if (!object_exists(file.id(), object)) return false;
  Handle owner = open_object(file, object, true);
  return H5Aexists(owner.get(), name.c_str()) > 0;
}

double H5File::attr_double(const std::string& object, const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle attribute = open_attribute(file, object, name);
  const Source source{attribute.get(), true, file.attribute(object, name)};
  const H5Array<double> values = read_numeric<double>(source, H5T_NATIVE_DOUBLE);
  if (values.data.size() != 1)
    throw InputError(single_value_error(source.what, values.data.size()));
  return values.data.front();
}

int64_t H5File::attr_int(const std::string& object, const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle attribute = open_attribute(file, object, name);
  const Source source{attribute.get(), true, file.attribute(object, name)};
  Handle type = source_type(source);
  if (H5Tget_class(type.get()) == H5T_FLOAT) {
    // Accept 5.0 (some writers store every number as a double) but not 5.5.
    const double value = attr_double(object, name);
    constexpr double kLimit = 9223372036854775808.0;  // 2^63
    if (!std::isfinite(value) || value != std::trunc(value) || value < -kLimit || value >= kLimit) {
      throw InputError(source.what + " is " + number_text(value) + ", expected an integer");
    }
    return static_cast<int64_t>(value);
  }
  const H5Array<int64_t> values = read_numeric<int64_t>(source, H5T_NATIVE_INT64);
  if (values.data.size() != 1)
    throw InputError(single_value_error(source.what, values.data.size()));
  return values.data.front();
}

std::string H5File::attr_string(const std::string& object, const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle attribute = open_attribute(file, object, name);
  const Source source{attribute.get(), true, file.attribute(object, name)};
  std::vector<std::string> values = read_string_values(source);
  if (values.size() != 1) throw InputError(single_value_error(source.what, values.size()));
  return std::move(values.front());
}

std::vector<double> H5File::attr_doubles(const std::string& object, const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle attribute = open_attribute(file, object, name);
  return read_numeric<double>({attribute.get(), true, file.attribute(object, name)},
                              H5T_NATIVE_DOUBLE)
      .data;
}

std::vector<std::string> H5File::attr_strings(const std::string& object,
                                              const std::string& name) const {
  const FileRef file = open_file(id_, path_);
  Handle attribute = open_attribute(file, object, name);
  return read_string_values({attribute.get(), true, file.attribute(object, name)});
}

}  // namespace qneuro::io
