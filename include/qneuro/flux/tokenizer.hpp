// Tokenizers of the flux language models. `char`: the distinct UTF-8 code points of the
// training text, sorted, one id each (tinyshakespeare: 65); `byte`: the 256 byte values.
// Saved with the model as JSON (schema qneuro.flux.tokenizer/1) so a checkpoint decodes the
// same way; encoding text with a character outside the vocabulary is an InputError naming it.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "qneuro/flux/params.hpp"

namespace qneuro::flux {

class Tokenizer {
 public:
  /// Char: the vocabulary is the distinct code points of `text`; Byte: the 256 byte values.
  static Tokenizer build(TokenizerKind kind, const std::string& text);
  static Tokenizer from_json(const std::string& json);
  [[nodiscard]] std::string to_json() const;

  [[nodiscard]] TokenizerKind kind() const { return kind_; }
  [[nodiscard]] int64_t vocab_size() const { return static_cast<int64_t>(symbols_.size()); }
  /// Throws InputError for a character outside the vocabulary (`what` names the text).
  [[nodiscard]] std::vector<int64_t> encode(const std::string& text,
                                            const std::string& what = "text") const;
  [[nodiscard]] std::string decode(const std::vector<int64_t>& ids) const;
  [[nodiscard]] const std::vector<std::string>& symbols() const { return symbols_; }
  bool operator==(const Tokenizer& o) const { return kind_ == o.kind_ && symbols_ == o.symbols_; }

 private:
  TokenizerKind kind_ = TokenizerKind::Char;
  std::vector<std::string> symbols_;  ///< id -> UTF-8 text (one code point, or one byte)
  std::unordered_map<std::string, int64_t> ids_;
  void index();
};

/// Splits UTF-8 text into code points (invalid bytes become single-byte symbols).
std::vector<std::string> utf8_symbols(const std::string& text);

}  // namespace qneuro::flux
