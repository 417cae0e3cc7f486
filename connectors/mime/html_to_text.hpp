#pragma once
// HTML -> plain text for ticket bodies, on libxml2's HTML parser (recovering, never fetching
// anything). Thread-safe (libxml2 is initialised once per process).

#include <functional>
#include <string>
#include <string_view>

namespace hd::mime {

// Renders UTF-8 HTML as text the way a reader would see it: paragraphs, <div> and <br> as line
// breaks, list items as "- item" (indented per level), links as "text <url>" (only the text when
// it already is the url or mail address), <blockquote> lines prefixed with "> ", table rows one
// per line with " | " between non-empty cells, no <head>/<script>/<style> content, entities
// decoded, whitespace collapsed as a browser does. Outlook/Word paragraphs (class MsoNormal) have
// no margins, so they break a line instead of leaving a blank one. Never throws on bad HTML.
std::string htmlToText(std::string_view html);

// What htmlToTextBefore() may look at to decide where quoted history starts.
struct HtmlElementInfo {
  std::string_view name;   // lowercase tag name
  std::string_view id;     // id attribute, "" if none
  std::string_view klass;  // class attribute, "" if none
};

// htmlToText() of the document with the first element matching `starts_cut` and everything after
// it in document order removed (a directly preceding <hr> goes too).
std::string htmlToTextBefore(std::string_view html,
                             const std::function<bool(const HtmlElementInfo&)>& starts_cut);

}  // namespace hd::mime
