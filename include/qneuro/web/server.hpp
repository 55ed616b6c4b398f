// `qneuro serve`: the local dashboard (docs/dashboard.md; routes in docs/dev/dashboard-api.md).
//
//   web::ServerOptions opt;              // 127.0.0.1:8765, root ".", 256 MiB uploads
//   web::Server server(opt);
//   const int port = server.bind();      // throws RuntimeError if the port is taken
//   std::thread t([&] { server.run(); });
//   ...
//   server.stop(); t.join();             // stops field runs (they checkpoint), closes streams
//
// Security: binds to loopback unless told otherwise; serves only the embedded assets and files
// under the root (path traversal, absolute paths and symlinks out of the root: 403); refuses
// requests whose Host header is not the address it serves (DNS rebinding) and JSON POSTs without
// Content-Type application/json (cross-site form posts); runs nothing but qneuro's own engines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"

namespace qneuro::web {

/// Text generation from a flux checkpoint directory (set by the LibTorch build; empty: 501).
using FluxGenerate = std::function<nlohmann::json(const std::filesystem::path& run_dir,
                                                  const nlohmann::json& request)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8765;  ///< 0: any free port (bind() returns it)
  std::filesystem::path root = ".";
  uint64_t max_upload_bytes = 256ull << 20;
  std::size_t max_streams = 64;    ///< concurrent event streams (SSE); more get 503
  std::size_t max_field_runs = 2;  ///< field runs at once
  FluxGenerate flux_generate;
  const config::Schema* flux_schema = nullptr;  ///< `qneuro flux train` keys (LibTorch builds)
};

class Server {
 public:
  explicit Server(ServerOptions options);  ///< InputError if the root is not a directory
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  /// Binds the listening socket; returns the port. RuntimeError if it cannot.
  int bind();
  /// Serves until stop() (call bind() first). Blocks.
  void run();
  /// Thread-safe; returns at once, run() returns soon after.
  void stop();
  /// http://host:port/
  [[nodiscard]] std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qneuro::web
