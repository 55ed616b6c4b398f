// The front end's bundle (web/frontend, built by web/build.mjs with esbuild at build time),
// embedded in the library by web/embed_assets.cmake so the server and the report need no files.
#pragma once

#include <string_view>

namespace qneuro::web::assets {

extern const std::string_view app_js;
extern const std::string_view app_css;
extern const std::string_view index_html;

}  // namespace qneuro::web::assets
