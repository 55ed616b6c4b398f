// The dashboard's HTTP server (server.hpp): routes, errors as JSON, event streams, the embedded
// front end. cpp-httplib (Debian's libcpp-httplib-dev) is seen only here.
#include "qneuro/web/server.hpp"

#include <malloc.h>

#include <atomic>
#include <cmath>
#include <cstdlib>

#include <httplib.h>

#include "assets.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/version.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/snn/snn_config.hpp"
#include "qneuro/web/compute_pool.hpp"
#include "qneuro/web/eeg_viewer.hpp"
#include "qneuro/web/field_jobs.hpp"
#include "qneuro/web/qlif_explorer.hpp"
#include "qneuro/web/requests.hpp"
#include "qneuro/web/run_data.hpp"

namespace qneuro::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// With the charset parameter cpp-httplib does not compress JSON: on loopback Brotli cost more
// than the transfer it saves (a 216 kB explorer response: ~200 ms of a ~430 ms round trip).
constexpr const char* kJsonType = "application/json; charset=utf-8";

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& key) {
  res.status = status;
  res.set_content(json{{"error", message}, {"key", key}}.dump(), kJsonType);
}

const std::string& required_param(const httplib::Request& req, const std::string& name) {
  static const std::string empty;
  if (!req.has_param(name.c_str()))
    throw HttpError(400, "missing query parameter '" + name + "'", name);
  const auto it = req.params.find(name);
  return it == req.params.end() ? empty : it->second;
}

double number_param(const httplib::Request& req, const std::string& name, double fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string s = req.get_param_value(name.c_str());
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    throw HttpError(400, "query parameter '" + name + "' must be a finite number, got '" + s + "'",
                    name);
  }
  return v;
}

json json_body(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  // Only a same-origin script can send application/json (a cross-site form cannot): this keeps
  // other web pages from starting runs through the user's browser.
  if (type.rfind("application/json", 0) != 0) {
    throw HttpError(400, "the request body must be JSON with Content-Type: application/json",
                    "Content-Type");
  }
  try {
    return req.body.empty() ? json::object() : json::parse(req.body);
  } catch (const json::parse_error& e) {
    throw HttpError(400, std::string("malformed JSON body: ") + e.what(), "body");
  }
}

// Counts an open event stream for as long as any copy of the provider lives.
struct StreamSlot {
  explicit StreamSlot(std::atomic<std::size_t>& n) : count(n) { ++count; }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
  ~StreamSlot() { --count; }
  std::atomic<std::size_t>& count;
};

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions o)
      : options(std::move(o)),
        root(options.root),
        jobs(root, options.max_field_runs),
        eeg(root, options.max_upload_bytes),
        compute(2) {}

  ServerOptions options;
  RootDir root;
  FieldJobs jobs;
  EegFiles eeg;
  ComputePool compute;  ///< engine work: two requests at a time, fixed OpenMP teams
  httplib::Server http;
  int port = -1;
  std::atomic<std::size_t> streams{0};
  std::atomic<bool> stopping{false};

  // A JSON route: errors become {"error", "key"} with the status the contract names.
  template <typename F>
  httplib::Server::Handler route(F f) {
    return [f](const httplib::Request& req, httplib::Response& res) {
      try {
        res.set_content(f(req).dump(), kJsonType);
      } catch (const HttpError& e) {
        send_error(res, e.status(), e.what(), e.key());
      } catch (const ConfigError& e) {
        send_error(res, 400, e.what(), key_in_message(e.what()));
      } catch (const InputError& e) {
        send_error(res, 400, e.what(), key_in_message(e.what()));
      } catch (const UsageError& e) {
        send_error(res, 400, e.what(), "");
      } catch (const json::exception& e) {
        send_error(res, 400, std::string("malformed request: ") + e.what(), "body");
      } catch (const std::exception& e) {
        send_error(res, 500, e.what(), "");
      }
    };
  }

  // A JSON route whose work runs on the compute pool (engine runs, analyses, run data).
  template <typename F>
  httplib::Server::Handler heavy(F f) {
    return route(
        [this, f](const httplib::Request& req) { return compute.run([&] { return f(req); }); });
  }

  const config::Schema& schema_of(const std::string& engine) const {
    if (engine == "snn") return snn::snn_schema();
    if (engine == "field") return field::field_schema();
    if (engine == "analyze") return eeg::analysis_schema();
    if (engine == "flux" && options.flux_schema != nullptr) return *options.flux_schema;
    if (engine == "flux") {
      throw HttpError(501, "the flux schema needs qneuro built with LibTorch (qneuro-torch)",
                      "engine");
    }
    throw HttpError(400, "engine '" + engine + "': use snn, field, analyze or flux", "engine");
  }
  static std::string default_preset(const std::string& engine) {
    if (engine == "snn") return snn::kDefaultSnnPreset;
    if (engine == "field") return field::kDefaultFieldPreset;
    if (engine == "flux") return "flux";
    return "default";  // analyze: the classic bands, the same as no preset
  }

  bool host_allowed(const httplib::Request& req) const {
    if (!is_loopback(options.host)) return true;  // exposed on purpose: any Host
    std::string host = req.get_header_value("Host");
    if (host.empty()) return true;  // HTTP/1.0 clients
    if (host.front() == '[') {
      host = host.substr(0, host.find(']') + 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
      host = host.substr(0, colon);
    }
    return is_loopback(host);
  }

  void add_routes();
};

void Server::Impl::add_routes() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (host_allowed(req)) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 403,
               "Host '" + req.get_header_value("Host") + "' is not this server (DNS rebinding?)",
               "Host");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = "HTTP error " + std::to_string(res.status);
    std::string key;
    if (res.status == 413) {
      message = "the request body is larger than the upload limit (qneuro serve --max-upload)";
      key = "body";
    } else if (res.status == 404) {
      message = "no such page or API route";
    }
    send_error(res, res.status, message, key);
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string message = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          message = e.what();
        } catch (...) {
        }
        send_error(res, 500, message, "");
      });

  const auto asset = [](std::string_view body, const char* type) {
    return [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header(
          "Content-Security-Policy",
          "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
          "connect-src 'self'; frame-ancestors 'none'");
      res.set_content(std::string(body), type);
    };
  };
  http.Get("/", asset(assets::index_html, "text/html; charset=utf-8"));
  http.Get("/index.html", asset(assets::index_html, "text/html; charset=utf-8"));
  http.Get("/assets/app.js", asset(assets::app_js, "text/javascript; charset=utf-8"));
  http.Get("/assets/app.css", asset(assets::app_css, "text/css; charset=utf-8"));

  http.Get("/api/info", route([this](const httplib::Request&) {
             return json{{"version", build_info::version()},
                         {"root", root.path().string()},
                         {"torch", static_cast<bool>(options.flux_generate)},
                         {"max_upload_bytes", options.max_upload_bytes},
                         {"engines", options.flux_schema != nullptr
                                         ? json{"snn", "field", "analyze", "flux"}
                                         : json{"snn", "field", "analyze"}}};
           }));
  http.Get("/api/schema", route([this](const httplib::Request& req) {
             const std::string engine = required_param(req, "engine");
             return schema_json(schema_of(engine), default_preset(engine));
           }));
  http.Post("/api/resolve", route([this](const httplib::Request& req) {
              const json body = json_body(req);
              const std::string engine = require_member(body, "engine", json::value_t::string);
              const config::Config cfg =
                  resolve_request(schema_of(engine), body.value("preset", default_preset(engine)),
                                  body.value("set", json::object()));
              return json{{"toml", cfg.to_toml()}};
            }));

  http.Get("/api/qlif/controls", route([](const httplib::Request&) { return qlif_controls(); }));
  http.Post("/api/qlif",
            heavy([](const httplib::Request& req) { return qlif_run(json_body(req)); }));

  http.Post("/api/field/start",
            route([this](const httplib::Request& req) { return jobs.start(json_body(req)); }));
  http.Post("/api/field/resume",
            route([this](const httplib::Request& req) { return jobs.resume(json_body(req)); }));
  http.Post("/api/field/stop",
            route([this](const httplib::Request& req) { return jobs.stop(json_body(req)); }));
  http.Get("/api/jobs", route([this](const httplib::Request&) { return jobs.list(); }));
  http.Get("/api/field/events", [this](const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<FieldJob> job;
    try {
      job = jobs.find(required_param(req, "job"));
    } catch (const HttpError& e) {
      send_error(res, e.status(), e.what(), e.key());
      return;
    }
    if (streams.load() >= options.max_streams) {
      send_error(res, 503,
                 "too many open event streams (" + std::to_string(options.max_streams) +
                     "); close some pages",
                 "job");
      return;
    }
    auto slot = std::make_shared<StreamSlot>(streams);
    auto cursor = std::make_shared<std::size_t>(0);
    auto idle = std::make_shared<int>(0);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream", [this, job, slot, cursor, idle](std::size_t, httplib::DataSink& sink) {
          if (stopping.load()) return false;
          bool closed = false;
          const std::string messages = job->events.wait(*cursor, 1000, closed);
          if (!messages.empty()) {
            *idle = 0;
            if (!sink.write(messages.data(), messages.size())) return false;
          } else if (++*idle >= 10) {
            // A comment line every ~10 s: finds clients that went away, keeps proxies open.
            *idle = 0;
            static constexpr std::string_view keepalive = ": keepalive\n\n";
            if (!sink.write(keepalive.data(), keepalive.size())) return false;
          }
          if (closed) sink.done();
          return true;
        });
  });

  http.Get("/api/files", route([this](const httplib::Request& req) {
             return eeg.list(req.has_param("dir") ? req.get_param_value("dir") : ".");
           }));
  http.Get("/api/run", heavy([this](const httplib::Request& req) {
             const std::string dir = required_param(req, "dir");
             const fs::path path = root.resolve(dir, "dir", true);
             if (!is_run_dir(path))
               throw HttpError(404, "dir '" + dir + "' is not a qneuro run directory", "dir");
             // The files run_data() reads must be inside the root too (a symlink could leave it).
             const std::string rel = root.relative(path);
             for (const char* name : kRunDataFiles) {
               std::error_code ec;
               if (fs::exists(fs::symlink_status(path / name, ec))) {
                 (void)root.resolve(rel + "/" + name, "dir", true);
               }
             }
             return run_data(path, rel);
           }));
  http.Post("/api/upload", route([this](const httplib::Request& req) {
              return eeg.upload(required_param(req, "name"), req.body);
            }));
  http.Get("/api/eeg/open", heavy([this](const httplib::Request& req) {
             return eeg.open(required_param(req, "file"));
           }));
  http.Get("/api/eeg/window", heavy([this](const httplib::Request& req) {
             const double px = number_param(req, "px", 1200);
             if (px < 1 || px > 20000 || px != std::floor(px))
               throw HttpError(400, "px must be an integer in [1, 20000]", "px");
             return eeg.window(required_param(req, "file"), number_param(req, "t0", 0.0),
                               number_param(req, "t1", 10.0), static_cast<std::size_t>(px),
                               req.has_param("channels") ? req.get_param_value("channels") : "");
           }));
  http.Post("/api/eeg/analyze",
            heavy([this](const httplib::Request& req) { return eeg.analyze(json_body(req)); }));
  http.Post("/api/flux/generate", heavy([this](const httplib::Request& req) {
              const json body = json_body(req);
              if (!options.flux_generate) {
                throw HttpError(
                    501, "text generation needs qneuro built with LibTorch (qneuro-torch)", "dir");
              }
              const std::string dir = require_member(body, "dir", json::value_t::string);
              return options.flux_generate(root.resolve(dir, "dir", true), body);
            }));
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  // An explorer request allocates ~30 MB of result arrays (voltage and five traces). By default
  // glibc maps blocks that large afresh and unmaps them on free, and gives each request thread
  // its own arena, so every request paid page faults and zero-filling of fresh pages for a ~6 ms
  // kernel. Freed blocks kept in the heap and shared by all threads (two arenas) are reused:
  // measured with curl on 1,000 neurons x 1,000 steps, ~110 ms -> ~20 ms per request.
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1024 << 20);
  mallopt(M_ARENA_MAX, 2);
  const std::size_t threads = impl_->options.max_streams + 16;
  impl_->http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->http.set_payload_max_length(impl_->options.max_upload_bytes);
  impl_->http.set_keep_alive_max_count(100);
  // A live stream's reader may be slow for a while (a busy browser tab): give it 30 s, not 5.
  impl_->http.set_write_timeout(30, 0);
  impl_->add_routes();
}

Server::~Server() {
  stop();
  impl_->jobs.shutdown();
}

int Server::bind() {
  Impl& s = *impl_;
  if (s.options.port == 0) {
    s.port = s.http.bind_to_any_port(s.options.host);
  } else {
    s.port = s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
  }
  if (s.port <= 0) {
    throw RuntimeError(
        "cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
        " (in use, or not an address of this machine); try --port 0 for any free port");
  }
  return s.port;
}

void Server::run() {
  impl_->http.listen_after_bind();
}

void Server::stop() {
  impl_->stopping = true;
  impl_->jobs.shutdown();
  impl_->http.stop();
}

std::string Server::url() const {
  const std::string& h = impl_->options.host;
  const std::string host =
      h == "0.0.0.0" ? "127.0.0.1" : (h.find(':') != std::string::npos ? "[" + h + "]" : h);
  return "http://" + host + ":" + std::to_string(impl_->port) + "/";
}

}  // namespace qneuro::web
