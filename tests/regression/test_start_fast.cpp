// qneuro starts without LibTorch: the commands that need it are handed over to qneuro-torch
// (apps/qneuro/torch_handover.hpp). Before, every invocation loaded LibTorch and ~290 libraries
// (1.1 s for `qneuro --version`); bench/startup.py measures the times, these tests the structure.
#include <gtest/gtest.h>

#include <cstdlib>

#include "test_support.hpp"

namespace qneuro {
namespace {

using testing::quote_path;
using testing::run_command;
using testing::run_qneuro;
using testing::shell_quote;

TEST(StartFast, QneuroDoesNotLinkLibTorch) {
  const auto r = run_command("ldd " + shell_quote(QNEURO_CLI));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("libtorch"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("libc10"), std::string::npos) << r.output;
}

TEST(StartFast, TorchCommandsAreListedByQneuroItself) {
  const auto top = run_qneuro("--help");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  EXPECT_NE(top.output.find("flux"), std::string::npos) << top.output;
  const auto snn = run_qneuro("snn --help");
  ASSERT_EQ(snn.exit_code, 0) << snn.output;
  EXPECT_NE(snn.output.find("train"), std::string::npos) << snn.output;
  EXPECT_NE(snn.output.find("bench-train"), std::string::npos) << snn.output;
}

TEST(StartFast, MissingTorchHelperIsARuntimeErrorThatSaysWhatToDo) {
  // QNEURO_TORCH_HELPER="" stands for a build without LibTorch.
  const auto r = run_command("QNEURO_TORCH_HELPER= " + shell_quote(QNEURO_CLI) +
                             " flux generate --checkpoint x --prompt a");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("needs LibTorch"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("libtorch-dev"), std::string::npos) << r.output;
  const auto t = run_command("QNEURO_TORCH_HELPER= " + shell_quote(QNEURO_CLI) + " snn train");
  EXPECT_EQ(t.exit_code, 1) << t.output;
  EXPECT_NE(t.output.find("needs LibTorch"), std::string::npos) << t.output;
}

#ifdef QNEURO_HAS_TORCH
TEST(StartFast, HandOverKeepsArgumentsExitCodesAndHelp) {
  const auto help = run_qneuro("flux --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  for (const char* sub : {"train", "eval", "generate", "bench"}) {
    EXPECT_NE(help.output.find(sub), std::string::npos) << help.output;
  }
  const auto train_help = run_qneuro("snn train --help");
  ASSERT_EQ(train_help.exit_code, 0) << train_help.output;
  EXPECT_NE(train_help.output.find("--data"), std::string::npos) << train_help.output;
  // Global options before the command, and an input error's exit code (2), pass through.
  const auto bad = run_qneuro("--threads 1 -q flux train --preset test --text /nonexistent/t.txt");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("no such file"), std::string::npos) << bad.output;
  const auto unknown = run_qneuro("flux train --no-such-option");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
}
#endif

}  // namespace
}  // namespace qneuro
