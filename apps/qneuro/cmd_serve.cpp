// qneuro serve: the local dashboard (web/; docs/dashboard.md). The server lives in qneuro_web;
// this file parses options, prints the URL and waits for Ctrl-C.
#include <chrono>
#include <iostream>
#include <thread>

#include "cli_common.hpp"
#include "cmd_serve.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/web/server.hpp"

namespace qneuro::cli {
namespace {

struct ServeOptions {
  web::ServerOptions server;
  double max_upload_mb = 256;
};

int run_serve(ServeOptions& opt) {
  if (!(opt.max_upload_mb > 0)) throw UsageError("serve: --max-upload must be > 0 (MiB)");
  opt.server.max_upload_bytes = static_cast<uint64_t>(opt.max_upload_mb * 1024 * 1024);
  web::Server server(opt.server);
  server.bind();
  InterruptGuard guard;
  std::thread thread([&server] { server.run(); });
  std::cout << "qneuro dashboard: " << server.url() << "  (root " << opt.server.root.string()
            << (opt.server.flux_generate ? "" : "; flux text generation needs LibTorch")
            << "; Ctrl-C stops)" << std::endl;
  while (!InterruptGuard::interrupted())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::cout << "stopping: field runs checkpoint, streams close" << std::endl;
  server.stop();
  thread.join();
  return kExitOk;
}

}  // namespace

Command register_serve(CLI::App& root, const GlobalOptions& global, web::FluxGenerate flux_generate,
                       const config::Schema* flux_schema, const std::function<void()>& before_run) {
  auto opt = std::make_shared<ServeOptions>();
  opt->server.flux_generate = std::move(flux_generate);
  opt->server.flux_schema = flux_schema;
  CLI::App* sub = root.add_subcommand(
      "serve",
      "Serve the local dashboard: QLIF explorer (every neuron parameter, re-simulated on each\n"
      "change), field run monitor (start, watch live, stop, resume), EEG viewer (EDF/EDF+, CSV,\n"
      "HDF5 under --root, or uploaded) and flux viewer. Binds to 127.0.0.1 unless --host says\n"
      "otherwise, serves only files under --root, and prints the URL to open.");
  sub->add_option("--port", opt->server.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--host", opt->server.host,
                  "address to bind (127.0.0.1: this machine only; 0.0.0.0 exposes the dashboard "
                  "to the network, unauthenticated)")
      ->capture_default_str();
  sub->add_option("--root", opt->server.root,
                  "directory whose files the dashboard may read and where runs and uploads go")
      ->capture_default_str();
  sub->add_option("--max-upload", opt->max_upload_mb, "largest upload, MiB")->capture_default_str();
  sub->add_option("--max-streams", opt->server.max_streams, "concurrent live event streams")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  (void)global;
  return {sub, [opt, before_run] {
            if (before_run) before_run();
            return run_serve(*opt);
          }};
}

}  // namespace qneuro::cli
