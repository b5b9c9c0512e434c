// The on-call web page's files (server/web/), compiled into the binary by
// embed_web_assets.cmake so the daemon needs no files beside it and serves
// exactly the page it was built with.
#pragma once

#include <string_view>

namespace faultline {

struct WebAsset {
  std::string_view name;  // file name in server/web/, e.g. "app.js"
  std::string_view body;  // the file's bytes
  std::string_view etag;  // quoted strong ETag: the first 16 hex digits of the SHA-256
};

// The embedded file called `name`, or null. The data lives as long as the program.
const WebAsset* find_web_asset(std::string_view name);

}  // namespace faultline
