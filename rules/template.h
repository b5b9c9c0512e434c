// Summary and hint templates: "{name}" stands for the rule's capture of that
// name; "{{" and "}}" are literal braces. Names are [A-Za-z_][A-Za-z0-9_]*.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline {

// The capture names a template refers to, in order of appearance (repeats kept).
// Returns false and sets `error` ("unclosed '{' at offset 12") when the template
// is malformed; `names` then holds the names found before the error.
bool template_names(std::string_view text, std::vector<std::string>& names, std::string& error);

// Replaces every "{name}" with the capture of that name; a capture that did not
// take part in the match renders as "". Never fails: a malformed brace is copied
// as is (the loader has already rejected such templates).
std::string render_template(std::string_view text,
                            const std::vector<std::pair<std::string, std::string>>& captures);

}  // namespace faultline
