#include "qneuro/flux/tokenizer.hpp"

#include <algorithm>
#include <set>

#include "qneuro/core/error.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::flux {

std::vector<std::string> utf8_symbols(const std::string& text) {
  std::vector<std::string> out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 1;
    if (c >= 0xF0 && c < 0xF8) {
      len = 4;
    } else if (c >= 0xE0) {
      len = c < 0xF0 ? 3 : 1;
    } else if (c >= 0xC0) {
      len = 2;
    }
    bool valid = i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (!valid) len = 1;
    out.push_back(text.substr(i, len));
    i += len;
  }
  return out;
}

void Tokenizer::index() {
  ids_.clear();
  for (std::size_t i = 0; i < symbols_.size(); ++i) ids_[symbols_[i]] = static_cast<int64_t>(i);
}

Tokenizer Tokenizer::build(TokenizerKind kind, const std::string& text) {
  Tokenizer t;
  t.kind_ = kind;
  if (kind == TokenizerKind::Byte) {
    for (int b = 0; b < 256; ++b) t.symbols_.emplace_back(1, static_cast<char>(b));
  } else {
    const std::vector<std::string> all = utf8_symbols(text);
    const std::set<std::string> distinct(all.begin(), all.end());
    t.symbols_.assign(distinct.begin(), distinct.end());
    if (t.symbols_.empty())
      throw InputError("the text is empty: no characters to build a vocabulary");
  }
  t.index();
  return t;
}

std::string Tokenizer::to_json() const {
  nlohmann::ordered_json j;
  j["schema"] = "qneuro.flux.tokenizer/1";
  j["kind"] = to_string(kind_);
  if (kind_ == TokenizerKind::Char) j["symbols"] = symbols_;
  return j.dump();
}

Tokenizer Tokenizer::from_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("tokenizer.json is not valid JSON: ") + e.what());
  }
  if (j.value("schema", "") != "qneuro.flux.tokenizer/1") {
    throw InputError("tokenizer.json: expected schema qneuro.flux.tokenizer/1");
  }
  const auto kind = enum_from_name<TokenizerKind>(j.value("kind", ""));
  if (kind == TokenizerKind::Byte) return build(TokenizerKind::Byte, "");
  if (kind != TokenizerKind::Char || !j.contains("symbols") || !j["symbols"].is_array()) {
    throw InputError("tokenizer.json: kind must be char (with symbols) or byte");
  }
  Tokenizer t;
  t.kind_ = TokenizerKind::Char;
  t.symbols_ = j["symbols"].get<std::vector<std::string>>();
  t.index();
  return t;
}

std::vector<int64_t> Tokenizer::encode(const std::string& text, const std::string& what) const {
  std::vector<int64_t> ids;
  if (kind_ == TokenizerKind::Byte) {
    ids.reserve(text.size());
    for (const char c : text) ids.push_back(static_cast<unsigned char>(c));
    return ids;
  }
  const std::vector<std::string> symbols = utf8_symbols(text);
  ids.reserve(symbols.size());
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const auto it = ids_.find(symbols[i]);
    if (it == ids_.end()) {
      std::string shown = symbols[i];
      if (shown.size() == 1 && static_cast<unsigned char>(shown[0]) < 0x20) {
        shown = "\\x" + std::to_string(static_cast<unsigned char>(shown[0]));
      }
      throw InputError(what + ": character '" + shown + "' (position " + std::to_string(i) +
                       ") is not in the model's vocabulary of " + std::to_string(symbols_.size()) +
                       " characters");
    }
    ids.push_back(it->second);
  }
  return ids;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (const int64_t id : ids) {
    if (id >= 0 && id < vocab_size()) out += symbols_[static_cast<std::size_t>(id)];
  }
  return out;
}

}  // namespace qneuro::flux
