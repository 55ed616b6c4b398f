// H5File: round trips of every type and shape, strings, attributes, groups, errors, handle
// hygiene, and interoperability with h5py (files written by one are read by the other).
#include "qneuro/io/hdf5.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "test_support.hpp"

namespace qneuro::io {
namespace {

using qneuro::testing::run_command;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

// Debian's python3-h5py lives with the system interpreter; `python3` on PATH may be another one.
constexpr const char* kSystemPython = "/usr/bin/python3";

// Every identifier HDF5 has open (files, datasets, types, ...), to catch leaks.
ssize_t open_hdf5_objects() {
  return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

template <typename T>
std::vector<T> iota_vector(size_t n, T start) {
  std::vector<T> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

// Runs `body` (a Python snippet with `f` open on `file`) and returns its result.
qneuro::testing::CommandResult run_h5py(const std::filesystem::path& file, const std::string& mode,
                                        const std::string& body) {
  const std::string script = "import sys, h5py, numpy as np\nf = h5py.File(sys.argv[1], '" + mode +
                             "')\n" + body + "\nf.close()\n";
  return run_command(std::string(kSystemPython) + " -c " + shell_quote(script) + " " +
                     shell_quote(file.string()));
}

template <typename Fn>
std::string error_message(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

class H5FileTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::filesystem::path file_ = dir_ / "test.h5";
};

TEST_F(H5FileTest, DoubleRoundTripKeepsShapeAndValues) {
  const std::vector<double> one_d = {1.5, -2.25, 3e-300, 4e300};
  const std::vector<double> two_d = iota_vector<double>(12, 0.5);
  const std::vector<double> three_d = iota_vector<double>(24, -10.0);
  {
    H5File f = H5File::create(file_);
    f.write("one_d", one_d, {4});
    f.write("two_d", two_d, {3, 4});
    f.write("three_d", three_d, {2, 3, 4});
    f.close();
  }
  const H5File f = H5File::open_read(file_);
  const H5Array<double> a = f.read_double("one_d");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{4}));
  EXPECT_EQ(a.data, one_d);
  const H5Array<double> b = f.read_double("two_d");
  EXPECT_EQ(b.shape, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(b.data, two_d);
  const H5Array<double> c = f.read_double("three_d");
  EXPECT_EQ(c.shape, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(c.data, three_d);
}

TEST_F(H5FileTest, EveryNumericTypeRoundTrips) {
  const std::vector<float> floats = {0.1f, -2.5f, 1e30f};
  const std::vector<int32_t> int32s = {-2147483647 - 1, 0, 2147483647};
  const std::vector<int64_t> int64s = {-(int64_t{1} << 53), 7, int64_t{1} << 53};
  const std::vector<uint8_t> bytes = {0, 1, 128, 255};
  {
    H5File f = H5File::create(file_);
    f.write("floats", floats, {3});
    f.write("int32s", int32s, {3, 1});
    f.write("int64s", int64s, {1, 3});
    f.write("bytes", bytes, {2, 2});
  }
  const H5File f = H5File::open_read(file_);
  const H5Array<float> fl = f.read_float("floats");
  EXPECT_EQ(fl.data, floats);
  const H5Array<double> i32 = f.read_double("int32s");
  EXPECT_EQ(i32.shape, (std::vector<uint64_t>{3, 1}));
  EXPECT_EQ(i32.data, (std::vector<double>{-2147483648.0, 0.0, 2147483647.0}));
  const H5Array<double> i64 = f.read_double("int64s");
  EXPECT_EQ(i64.shape, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(i64.data, (std::vector<double>{-9007199254740992.0, 7.0, 9007199254740992.0}));
  const H5Array<uint8_t> u8 = f.read_uint8("bytes");
  EXPECT_EQ(u8.shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(u8.data, bytes);
}

TEST_F(H5FileTest, NumericReadsConvertFromTheStoredType) {
  {
    H5File f = H5File::create(file_);
    f.write("f32", std::vector<float>{0.5f, 0.1f}, {2});
    f.write("f64", std::vector<double>{0.1, 1e-3}, {2});
    f.write("u8", std::vector<uint8_t>{3, 200}, {2});
    f.write("i32", std::vector<int32_t>{17, 42}, {2});
  }
  const H5File f = H5File::open_read(file_);
  EXPECT_EQ(f.read_double("f32").data, (std::vector<double>{0.5, static_cast<double>(0.1f)}));
  EXPECT_EQ(f.read_float("f64").data, (std::vector<float>{0.1f, 1e-3f}));
  EXPECT_EQ(f.read_double("u8").data, (std::vector<double>{3.0, 200.0}));
  EXPECT_EQ(f.read_uint8("i32").data, (std::vector<uint8_t>{17, 42}));
  EXPECT_EQ(f.read_float("u8").data, (std::vector<float>{3.0f, 200.0f}));
}

TEST_F(H5FileTest, EmptyAndScalarDatasets) {
  {
    H5File f = H5File::create(file_);
    f.write("empty", std::vector<double>{}, {0});
    f.write("empty_2d", std::vector<float>{}, {3, 0});
    f.write("empty_compressed", std::vector<double>{}, {0, 5}, true);
    f.write("scalar", std::vector<double>{42.0}, {});
    f.write_strings("no_strings", {});
  }
  const H5File f = H5File::open_read(file_);
  const H5Array<double> empty = f.read_double("empty");
  EXPECT_TRUE(empty.data.empty());
  EXPECT_EQ(empty.shape, (std::vector<uint64_t>{0}));
  const H5Array<float> empty_2d = f.read_float("empty_2d");
  EXPECT_TRUE(empty_2d.data.empty());
  EXPECT_EQ(empty_2d.shape, (std::vector<uint64_t>{3, 0}));
  EXPECT_EQ(f.read_double("empty_compressed").shape, (std::vector<uint64_t>{0, 5}));
  const H5Array<double> scalar = f.read_double("scalar");
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.data, (std::vector<double>{42.0}));
  EXPECT_TRUE(f.read_strings("no_strings").empty());
}

TEST_F(H5FileTest, CompressedDatasetIsChunkedWithDeflateAndRoundTrips) {
  // 64 x 5000 doubles = 2.5 MB: larger than one chunk, so several chunks are written.
  std::vector<double> signal(64 * 5000);
  for (size_t i = 0; i < signal.size(); ++i) signal[i] = static_cast<double>(i % 97) * 0.25;
  {
    H5File f = H5File::create(file_);
    f.write("signals", signal, {64, 5000}, true);
    f.write("small", std::vector<int32_t>{1, 2, 3}, {3}, true);
  }
  {
    const H5File f = H5File::open_read(file_);
    EXPECT_EQ(f.read_double("signals").data, signal);
    EXPECT_EQ(f.read_double("small").data, (std::vector<double>{1, 2, 3}));
  }
  const hid_t file = H5Fopen(file_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t dataset = H5Dopen2(file, "signals", H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(dataset);
  EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
  std::vector<hsize_t> chunk(2);
  ASSERT_EQ(H5Pget_chunk(dcpl, 2, chunk.data()), 2);
  EXPECT_LE(chunk[0] * chunk[1] * sizeof(double), size_t{1} << 20);
  EXPECT_GE(chunk[0] * chunk[1] * sizeof(double), size_t{1} << 18);
  ASSERT_EQ(H5Pget_nfilters(dcpl), 1);
  unsigned level = 0;
  size_t n_values = 1;
  unsigned flags = 0;
  EXPECT_EQ(H5Pget_filter2(dcpl, 0, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_DEFLATE);
  EXPECT_EQ(level, 4u);
  // Repetitive data must actually shrink.
  EXPECT_LT(H5Dget_storage_size(dataset), signal.size() * sizeof(double) / 4);
  H5Pclose(dcpl);
  H5Dclose(dataset);
  H5Fclose(file);
}

TEST_F(H5FileTest, VariableLengthUtf8StringsRoundTrip) {
  const std::vector<std::string> labels = {"Fp1", "", "µV über", std::string(300, 'x')};
  {
    H5File f = H5File::create(file_);
    f.write_strings("channels", labels);
  }
  const H5File f = H5File::open_read(file_);
  EXPECT_EQ(f.read_strings("channels"), labels);
}

// h5py writes NumPy 'S' arrays as fixed-length strings; all three padding kinds must read back.
TEST_F(H5FileTest, ReadStringsAcceptsFixedLengthStrings) {
  struct Case {
    const char* name;
    H5T_str_t padding;
    std::vector<char> bytes;  // 3 elements of 4 bytes
  };
  const std::vector<Case> cases = {
      {"nullterm",
       H5T_STR_NULLTERM,
       {'a', 'b', 'c', '\0', 'x', '\0', '\0', '\0', 'w', 'x', 'y', 'z'}},
      {"nullpad",
       H5T_STR_NULLPAD,
       {'a', 'b', 'c', '\0', 'x', '\0', '\0', '\0', 'w', 'x', 'y', 'z'}},
      {"spacepad", H5T_STR_SPACEPAD, {'a', 'b', 'c', ' ', 'x', ' ', ' ', ' ', 'w', 'x', 'y', 'z'}},
  };
  {
    const hid_t file = H5Fcreate(file_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const hsize_t dims[1] = {3};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    for (const Case& c : cases) {
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, 4);
      H5Tset_strpad(type, c.padding);
      const hid_t dataset =
          H5Dcreate2(file, c.name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      ASSERT_GE(dataset, 0);
      ASSERT_GE(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.bytes.data()), 0);
      H5Dclose(dataset);
      H5Tclose(type);
    }
    H5Sclose(space);
    H5Fclose(file);
  }
  const H5File f = H5File::open_read(file_);
  for (const Case& c : cases) {
    EXPECT_EQ(f.read_strings(c.name), (std::vector<std::string>{"abc", "x", "wxyz"})) << c.name;
  }
}

TEST_F(H5FileTest, AttributesOfEveryKindOnRootAndDataset) {
  const std::vector<double> bands = {0.5, 4.0, 8.0, 12.0};
  const std::vector<std::string> names = {"delta", "theta", "µ"};
  {
    H5File f = H5File::create(file_);
    f.write("signals", std::vector<double>{1, 2}, {2});
    for (const std::string object : {"/", "signals"}) {
      f.set_attr(object, "fs_hz", 250.0);
      f.set_attr(object, "n_steps", int64_t{-1234567890123});
      f.set_attr(object, "schema", std::string("qneuro.timeseries/1"));
      f.set_attr(object, "units", "uV");
      f.set_attr(object, "bands", bands);
      f.set_attr(object, "band_names", names);
      f.set_attr(object, "no_values", std::vector<double>{});
    }
  }
  const H5File f = H5File::open_read(file_);
  for (const std::string object : {"/", "signals"}) {
    SCOPED_TRACE(object);
    EXPECT_TRUE(f.has_attr(object, "fs_hz"));
    EXPECT_FALSE(f.has_attr(object, "missing"));
    EXPECT_EQ(f.attr_double(object, "fs_hz"), 250.0);
    EXPECT_EQ(f.attr_int(object, "n_steps"), int64_t{-1234567890123});
    EXPECT_EQ(f.attr_string(object, "schema"), "qneuro.timeseries/1");
    EXPECT_EQ(f.attr_string(object, "units"), "uV");
    EXPECT_EQ(f.attr_doubles(object, "bands"), bands);
    EXPECT_EQ(f.attr_strings(object, "band_names"), names);
    EXPECT_TRUE(f.attr_doubles(object, "no_values").empty());
    // A number attribute reads as a double too, and an integral double as an int.
    EXPECT_EQ(f.attr_double(object, "n_steps"), -1234567890123.0);
    EXPECT_EQ(f.attr_int(object, "fs_hz"), 250);
  }
  EXPECT_FALSE(f.has_attr("no/such/object", "fs_hz"));
}

TEST_F(H5FileTest, SettingAnAttributeAgainOverwritesIt) {
  {
    H5File f = H5File::create(file_);
    f.set_attr("/", "value", 1.0);
    f.set_attr("/", "value", 2.0);
    f.set_attr("/", "kind", 5.0);
    f.set_attr("/", "kind", "now a string");  // a different type replaces it as well
  }
  const H5File f = H5File::open_read(file_);
  EXPECT_EQ(f.attr_double("/", "value"), 2.0);
  EXPECT_EQ(f.attr_string("/", "kind"), "now a string");
}

TEST_F(H5FileTest, LargeAttributeIsStored) {
  // Beyond the 64 KiB limit of HDF5's compact attribute storage.
  const std::vector<double> values = iota_vector<double>(20000, 0.0);
  {
    H5File f = H5File::create(file_);
    f.set_attr("/", "many", values);
  }
  EXPECT_EQ(H5File::open_read(file_).attr_doubles("/", "many"), values);
}

TEST_F(H5FileTest, NestedPathsCreateIntermediateGroups) {
  {
    H5File f = H5File::create(file_);
    f.write("diagnostics/energy/values", std::vector<double>{1, 2, 3}, {3});
    f.create_group("analysis/bands");
    f.create_group("analysis/bands");  // exists already: fine
    f.write_strings("/analysis/bands/names", {"alpha"});
    f.set_attr("diagnostics/energy", "every_n_steps", int64_t{10});
    f.set_attr("analysis", "note", "a group attribute");
  }
  const H5File f = H5File::open_read(file_);
  EXPECT_TRUE(f.exists("/"));
  EXPECT_TRUE(f.exists("diagnostics"));
  EXPECT_TRUE(f.exists("diagnostics/energy"));
  EXPECT_TRUE(f.exists("/diagnostics/energy/values"));
  EXPECT_TRUE(f.exists("analysis/bands"));
  EXPECT_FALSE(f.exists("diagnostics/power"));
  EXPECT_FALSE(f.exists("no/such/path"));
  EXPECT_FALSE(f.exists("diagnostics/energy/values/below_a_dataset"));
  EXPECT_EQ(f.read_double("diagnostics/energy/values").data, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(f.read_strings("analysis/bands/names"), (std::vector<std::string>{"alpha"}));
  EXPECT_EQ(f.attr_int("diagnostics/energy", "every_n_steps"), 10);
  EXPECT_EQ(f.attr_string("analysis", "note"), "a group attribute");
}

TEST_F(H5FileTest, WritingADatasetTwiceReplacesIt) {
  {
    H5File f = H5File::create(file_);
    f.write("x", std::vector<double>{1, 2, 3}, {3});
    f.write("x", std::vector<int32_t>{7, 8}, {1, 2});
  }
  const H5Array<double> x = H5File::open_read(file_).read_double("x");
  EXPECT_EQ(x.shape, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(x.data, (std::vector<double>{7, 8}));
}

TEST_F(H5FileTest, ShapeThatDoesNotMatchTheDataIsRejected) {
  H5File f = H5File::create(file_);
  const std::vector<double> five(5, 1.0);
  try {
    f.write("x", five, {2, 3});
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'x'"), std::string::npos) << message;
    EXPECT_NE(message.find("[2, 3]"), std::string::npos) << message;
    EXPECT_NE(message.find("6 values"), std::string::npos) << message;
    EXPECT_NE(message.find("5 were given"), std::string::npos) << message;
  }
  EXPECT_THROW(f.write("y", std::vector<double>{}, {}), RuntimeError);  // scalar needs one value
  EXPECT_THROW(f.write("", five, {5}), RuntimeError);
  EXPECT_FALSE(f.exists("x"));
}

TEST_F(H5FileTest, MissingFileIsAnInputError) {
  const std::filesystem::path missing = dir_ / "missing.h5";
  try {
    (void)H5File::open_read(missing);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(H5File::is_hdf5(missing));
}

TEST_F(H5FileTest, FileThatIsNotHdf5IsAnInputError) {
  const std::filesystem::path text = dir_ / "notes.h5";
  std::ofstream(text) << "time,Fz\n0,1\n";
  EXPECT_FALSE(H5File::is_hdf5(text));
  const std::string message = error_message([&] { (void)H5File::open_read(text); });
  EXPECT_NE(message.find(text.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not an HDF5 file"), std::string::npos) << message;
  EXPECT_THROW((void)H5File::open_read(text), InputError);
  EXPECT_THROW((void)H5File::open_read(dir_.path()), InputError);
}

TEST_F(H5FileTest, TruncatedFileIsAnInputError) {
  {
    H5File f = H5File::create(file_);
    f.write("signals", iota_vector<double>(50000, 0.0), {50000});
  }
  EXPECT_TRUE(H5File::is_hdf5(file_));
  std::filesystem::resize_file(file_, 3000);
  EXPECT_TRUE(H5File::is_hdf5(file_));
  EXPECT_THROW(
      {
        const H5File f = H5File::open_read(file_);
        (void)f.read_double("signals");
      },
      InputError);
}

TEST_F(H5FileTest, MissingOrMistypedObjectsAreInputErrors) {
  {
    H5File f = H5File::create(file_);
    f.write("numbers", std::vector<double>{1, 2}, {2});
    f.write_strings("labels", {"a", "b"});
    f.create_group("group");
    f.set_attr("/", "text", "abc");
    f.set_attr("/", "pair", std::vector<double>{1, 2});
    f.set_attr("/", "half", 2.5);
  }
  const H5File f = H5File::open_read(file_);
  const std::string name = file_.string();
  EXPECT_EQ(error_message([&] { (void)f.read_double("x"); }),
            "dataset 'x' not found in '" + name + "'");
  EXPECT_EQ(error_message([&] { (void)f.read_strings("a/b/c"); }),
            "dataset 'a/b/c' not found in '" + name + "'");
  EXPECT_THROW((void)f.read_double("x"), InputError);
  EXPECT_THROW((void)f.read_double("group"), InputError);
  EXPECT_THROW((void)f.read_double("labels"), InputError);
  EXPECT_THROW((void)f.read_strings("numbers"), InputError);
  EXPECT_NE(error_message([&] { (void)f.read_double("labels"); }).find("expected numbers"),
            std::string::npos);
  const std::string missing_attr = error_message([&] { (void)f.attr_double("/", "fs_hz"); });
  EXPECT_NE(missing_attr.find("'fs_hz' not found"), std::string::npos) << missing_attr;
  EXPECT_NE(missing_attr.find(name), std::string::npos) << missing_attr;
  EXPECT_THROW((void)f.attr_double("/", "fs_hz"), InputError);
  EXPECT_THROW((void)f.attr_double("/", "text"), InputError);
  EXPECT_THROW((void)f.attr_string("/", "pair"), InputError);
  EXPECT_THROW((void)f.attr_double("/", "pair"), InputError);  // two values, not one
  EXPECT_THROW((void)f.attr_int("/", "half"), InputError);
  EXPECT_THROW((void)f.attr_int("nowhere", "half"), InputError);
}

TEST_F(H5FileTest, ReadOnlyClosedAndMovedFromFilesRefuseWork) {
  { H5File::create(file_).write("x", std::vector<double>{1}, {1}); }
  H5File reader = H5File::open_read(file_);
  EXPECT_THROW(reader.write("y", std::vector<double>{1}, {1}), RuntimeError);
  EXPECT_THROW(reader.set_attr("/", "a", 1.0), RuntimeError);
  EXPECT_THROW(reader.create_group("g"), RuntimeError);
  H5File moved = std::move(reader);
  EXPECT_EQ(moved.read_double("x").data, (std::vector<double>{1}));
  EXPECT_THROW((void)reader.read_double("x"), RuntimeError);  // NOLINT(bugprone-use-after-move)
  moved.close();
  moved.close();  // closing twice is harmless
  EXPECT_THROW((void)moved.exists("x"), RuntimeError);
  EXPECT_THROW(H5File::create(dir_ / "no_such_dir" / "x.h5"), RuntimeError);
}

TEST_F(H5FileTest, MoveAssignmentClosesThePreviousFile) {
  const ssize_t baseline = open_hdf5_objects();
  H5File a = H5File::create(dir_ / "a.h5");
  H5File b = H5File::create(dir_ / "b.h5");
  EXPECT_EQ(open_hdf5_objects(), baseline + 2);
  a = std::move(b);
  EXPECT_EQ(open_hdf5_objects(), baseline + 1);
  EXPECT_EQ(a.path(), dir_ / "b.h5");
  a.write("x", std::vector<double>{3}, {1});
  a.close();
  EXPECT_EQ(open_hdf5_objects(), baseline);
  // a.h5 was closed complete: it opens and is empty.
  EXPECT_FALSE(H5File::open_read(dir_ / "a.h5").exists("x"));
  EXPECT_EQ(H5File::open_read(dir_ / "b.h5").read_double("x").data, (std::vector<double>{3}));
}

TEST_F(H5FileTest, FailedOperationsLeakNoHandles) {
  const ssize_t baseline = open_hdf5_objects();
  {
    H5File f = H5File::create(file_);
    f.write_strings("labels", {"a"});
    f.write("numbers", std::vector<double>{1}, {1});
    EXPECT_THROW(f.write("labels/inside", std::vector<double>{1}, {1}), RuntimeError);
    EXPECT_NE(error_message([&] {
                f.write("labels/inside", std::vector<double>{1}, {1});
              }).find("'labels' is a dataset, not a group"),
              std::string::npos);
    EXPECT_THROW(f.set_attr("missing", "a", 1.0), RuntimeError);
    EXPECT_THROW((void)f.read_double("labels"), InputError);
    EXPECT_THROW((void)f.read_strings("numbers"), InputError);
    EXPECT_THROW((void)f.attr_string("numbers", "none"), InputError);
    EXPECT_EQ(open_hdf5_objects(), baseline + 1);  // only the file itself
  }
  EXPECT_EQ(open_hdf5_objects(), baseline);
}

TEST_F(H5FileTest, H5pyReadsOurFiles) {
  {
    H5File f = H5File::create(file_);
    f.write("signals", iota_vector<double>(6, 0.5), {2, 3});
    f.write("compressed", iota_vector<float>(1000, 0.0f), {10, 100}, true);
    f.write("counts", std::vector<int32_t>{4, -5}, {2});
    f.write("mask", std::vector<uint8_t>{1, 0, 1}, {3});
    f.write_strings("channels", {"Fp1", "Cz", "µV"});
    f.set_attr("/", "schema", "qneuro.timeseries/1");
    f.set_attr("/", "fs_hz", 512.0);
    f.set_attr("signals", "n", int64_t{6});
    f.close();
  }
  const std::string checks = R"(
s = f['signals']
assert s.shape == (2, 3) and s.dtype == np.float64, (s.shape, s.dtype)
assert s[1, 2] == 5.5, s[1, 2]
c = f['compressed']
assert c.shape == (10, 100) and c.dtype == np.float32 and c.compression == 'gzip'
assert c[9, 99] == 999.0
assert f['counts'].dtype == np.int32 and list(f['counts'][:]) == [4, -5]
assert f['mask'].dtype == np.uint8
assert [x.decode() for x in f['channels'][:]] == ['Fp1', 'Cz', 'µV']
assert f.attrs['schema'] == 'qneuro.timeseries/1', f.attrs['schema']
assert f.attrs['fs_hz'] == 512.0
assert f['signals'].attrs['n'] == 6
print('h5py ok')
)";
  const auto result = run_h5py(file_, "r", checks);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("h5py ok"), std::string::npos) << result.output;
}

TEST_F(H5FileTest, WeReadH5pyFiles) {
  const std::string writer = R"(
f.create_dataset('int16', data=np.array([[1, -2], [3, 4]], dtype=np.int16))
f.create_dataset('fixed', data=np.array([b'Fp1', b'Cz'], dtype='S4'))
f.create_dataset('vlen', data=['alpha', 'β'], dtype=h5py.string_dtype())
f.create_dataset('grp/deep', data=np.arange(3, dtype=np.float32), compression='gzip')
f.attrs['fs_hz'] = 256.0
f.attrs['n'] = np.int32(7)
f.attrs['name'] = 'recording'
f.attrs['fixed_name'] = np.bytes_(b'fixed')
f.attrs['labels'] = ['a', 'b']
)";
  const auto result = run_h5py(file_, "w", writer);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const H5File f = H5File::open_read(file_);
  const H5Array<double> int16 = f.read_double("int16");
  EXPECT_EQ(int16.shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(int16.data, (std::vector<double>{1, -2, 3, 4}));
  EXPECT_EQ(f.read_strings("fixed"), (std::vector<std::string>{"Fp1", "Cz"}));
  EXPECT_EQ(f.read_strings("vlen"), (std::vector<std::string>{"alpha", "β"}));
  EXPECT_EQ(f.read_double("grp/deep").data, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(f.attr_double("/", "fs_hz"), 256.0);
  EXPECT_EQ(f.attr_int("/", "n"), 7);
  EXPECT_EQ(f.attr_string("/", "name"), "recording");
  EXPECT_EQ(f.attr_string("/", "fixed_name"), "fixed");
  EXPECT_EQ(f.attr_strings("/", "labels"), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace qneuro::io
