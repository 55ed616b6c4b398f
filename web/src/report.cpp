// `qneuro report`: the run view of the dashboard as one self-contained HTML file.
#include "qneuro/web/report.hpp"

#include "assets.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/web/run_data.hpp"

namespace qneuro::web {

namespace {

// Inside <script>, "</script" ends the element and "<!--" changes how the parser reads it.
// The JSON data writes every '<' as \u003c (JSON has '<' only inside strings, so the data stays
// exact); the code escapes those two sequences as "<\/script" and "<\!--", which JS strings,
// regular expressions and template literals read unchanged (the bundle has them nowhere else).
std::string json_script_safe(const std::string& json_text) {
  std::string out;
  out.reserve(json_text.size() + 64);
  for (const char c : json_text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

std::string code_script_safe(const std::string& code) {
  std::string out;
  out.reserve(code.size() + 64);
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '<' && i + 1 < code.size()) {
      const std::string_view rest = std::string_view(code).substr(i + 1, 7);
      if (rest == "/script" || rest == "/SCRIPT" || rest.substr(0, 3) == "!--") {
        out += "<\\";
        continue;
      }
    }
    out += code[i];
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string report_html(const nlohmann::json& run_data) {
  const std::string title = "qneuro report: " + run_data.value("title", std::string("run"));
  std::string html;
  html.reserve(assets::app_js.size() + assets::app_css.size() + 4096);
  html += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No network: the policy forbids every fetch, so a stray URL cannot leak data or break offline.
  html +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:\">\n";
  html += "<title>" + html_escape(title) + "</title>\n<style>\n";
  html += assets::app_css;
  html += "\n</style></head>\n<body>\n<script type=\"application/json\" id=\"qneuro-data\">";
  html += json_script_safe(run_data.dump());
  html += "</script>\n<script>\n";
  html += code_script_safe(std::string(assets::app_js));
  html += "\n</script>\n</body></html>\n";
  return html;
}

std::size_t write_report(const std::filesystem::path& run_dir, const std::filesystem::path& out) {
  const std::string html = report_html(run_data(run_dir, run_dir.string()));
  io::write_file_atomic(out, html);
  return html.size();
}

}  // namespace qneuro::web
