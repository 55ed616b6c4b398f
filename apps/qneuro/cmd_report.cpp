// qneuro report: a run directory as one self-contained HTML file (web/; docs/dashboard.md).
#include <filesystem>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/web/report.hpp"
#include "qneuro/web/run_data.hpp"

namespace qneuro::cli {
namespace {

struct ReportOptions {
  std::filesystem::path run_dir;
  std::filesystem::path out;
};

int run_report(const ReportOptions& opt) {
  if (!web::is_run_dir(opt.run_dir)) {
    throw InputError("report: '" + opt.run_dir.string() +
                     "' is not a qneuro run directory (it needs summary.json or run.json: the "
                     "--out of qneuro field, snn, analyze or flux train)");
  }
  const std::filesystem::path out = opt.out.empty() ? opt.run_dir / "report.html" : opt.out;
  const std::size_t bytes = web::write_report(opt.run_dir, out);
  log::info("wrote {} ({:.1f} kB): open it in a browser, no server or network needed", out.string(),
            static_cast<double>(bytes) / 1000.0);
  return kExitOk;
}

}  // namespace

Command register_report(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<ReportOptions>();
  CLI::App* sub = root.add_subcommand(
      "report",
      "Write one self-contained HTML report of a run directory (field, snn, analyze, flux\n"
      "train): its figures, summary table and resolved config, with scripts, styles and data\n"
      "inlined, so it opens from file:// with no server and no network.");
  sub->add_option("run_dir", opt->run_dir, "run directory (the --out of a run)")->required();
  sub->add_option("--out,-o", opt->out, "output file (default: RUN_DIR/report.html)");
  return {sub, [opt] { return run_report(*opt); }};
}

}  // namespace qneuro::cli
