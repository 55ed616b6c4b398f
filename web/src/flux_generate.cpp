// Text generation for the flux viewer (flux_generate.hpp).
#include "qneuro/web/flux_generate.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "qneuro/flux/run.hpp"
#include "qneuro/web/requests.hpp"

namespace qneuro::web {

using nlohmann::json;

json flux_generate(const std::filesystem::path& dir, const json& request) {
  const std::string prompt = require_member(request, "prompt", json::value_t::string);
  flux::GenerateOverrides o;
  if (request.contains("tokens")) {
    const int64_t n =
        require_member(request, "tokens", json::value_t::number_integer).get<int64_t>();
    if (n < 1 || n > 2000) throw HttpError(400, "tokens must be in [1, 2000]", "tokens");
    o.tokens = n;
  }
  if (request.contains("temperature")) {
    const double t =
        require_member(request, "temperature", json::value_t::number_float).get<double>();
    if (!(t > 0) || t > 10) throw HttpError(400, "temperature must be in (0, 10]", "temperature");
    o.temperature = t;
  }
  if (request.contains("top_k")) {
    const int64_t k =
        require_member(request, "top_k", json::value_t::number_integer).get<int64_t>();
    if (k < 0) throw HttpError(400, "top_k must be >= 0", "top_k");
    o.top_k = k;
  }
  if (request.contains("seed")) {
    const int64_t s = require_member(request, "seed", json::value_t::number_integer).get<int64_t>();
    if (s < 0 || s > 4294967295LL) throw HttpError(400, "seed must be in [0, 4294967295]", "seed");
    o.seed = static_cast<uint32_t>(s);
  }
  // One model per checkpoint directory, loaded once; generation on one model at a time.
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::shared_ptr<flux::LoadedCheckpoint>> cache;
  const std::lock_guard lock(mutex);
  const std::filesystem::path ck = flux::checkpoint_dir(dir);
  auto& slot = cache[ck];
  if (!slot) slot = std::make_shared<flux::LoadedCheckpoint>(flux::load_checkpoint(ck));
  const auto t0 = std::chrono::steady_clock::now();
  const std::string text = flux::generate_text(*slot, prompt, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {{"text", text}, {"seconds", seconds}};
}

}  // namespace qneuro::web
