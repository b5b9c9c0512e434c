// The on-call web page: GET / and its script and style sheet, embedded at build
// time. No token is needed to load them (they hold no data); the page's script
// calls the incident API with the token the user types.
#include "server/routes.h"
#include "server/web_assets.h"

namespace faultline {
namespace {

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

// If-None-Match may list several tags, or be a weak form of ours after a proxy.
bool matches_etag(std::string_view header, std::string_view etag) {
  if (header == "*") return true;
  return header.find(etag) != std::string_view::npos;
}

const WebAsset& asset(std::string_view name) {
  const WebAsset* found = find_web_asset(name);
  // A missing file is a build bug (server/CMakeLists.txt names each one), not a request error.
  if (!found) throw std::logic_error("web asset not embedded: " + std::string(name));
  return *found;
}

void serve(const WebAsset& asset, const CallPtr& call) {
  const bool unchanged = matches_etag(call->request[http::field::if_none_match], asset.etag);
  Response response = unchanged ? text_response(http::status::not_modified, "", content_type(asset.name))
                                : text_response(http::status::ok, std::string(asset.body), content_type(asset.name));
  // Scripts and styles only from the daemon itself: data from logs that slipped
  // into the DOM as markup could still not run. No framing: the buttons act.
  response.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  // Revalidate every load, so a new build's page is never mixed with an old script.
  response.set(http::field::cache_control, "no-cache");
  response.set(http::field::etag, asset.etag);
  call->respond(std::move(response));
}

}  // namespace

void add_web_routes(Router& router, ServeContext&) {
  router.add(http::verb::get, "/", [&page = asset("index.html")](const CallPtr& call) { serve(page, call); });
  router.add(http::verb::get, "/ui/app.js", [&script = asset("app.js")](const CallPtr& call) { serve(script, call); });
  router.add(http::verb::get, "/ui/style.css", [&style = asset("style.css")](const CallPtr& call) { serve(style, call); });
}

}  // namespace faultline
