#include "connectors/mime/html_to_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "connectors/mime/ascii.hpp"

namespace hd::mime {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

DocPtr parseHtml(std::string_view html) {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  if (html.empty()) return nullptr;
  const int size = static_cast<int>(std::min<std::size_t>(html.size(), 0x7fffffff));
  return DocPtr(htmlReadMemory(html.data(), size, nullptr, "UTF-8",
                               HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET | HTML_PARSE_NOBLANKS));
}

std::string_view nameOf(const xmlNode* node) {
  return node->name != nullptr ? reinterpret_cast<const char*>(node->name) : "";
}

std::string attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return {};
  std::string result(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return result;
}

bool isOneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool isSkipped(std::string_view name) {
  return isOneOf(name, {"head", "title", "script", "style", "noscript", "template", "iframe",
                        "object", "svg", "xml"});
}

bool isBlock(std::string_view name) {
  return isOneOf(name, {"div",    "section", "article",    "header",     "footer",  "nav",
                        "aside",  "address", "form",       "fieldset",   "dl",      "dt",
                        "dd",     "ul",      "ol",         "li",         "table",   "tr",
                        "center", "main",    "figure",     "figcaption", "details", "summary",
                        "hr",     "caption", "blockquote", "body",       "html"});
}

bool isParagraph(std::string_view name) {
  return isOneOf(name, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"});
}

// "https://Example.com/" and "example.com" name the same link; so do "mailto:a@b" and "a@b".
std::string comparableUrl(std::string url) {
  url = asciiLower(url);
  for (std::string_view scheme : {"mailto:", "https://", "http://"}) {
    if (url.rfind(scheme, 0) == 0) {
      url.erase(0, scheme.size());
      break;
    }
  }
  if (url.rfind("www.", 0) == 0) url.erase(0, 4);
  if (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool isShownUrl(std::string_view href) {
  return startsWithIgnoreCase(href, "http://") || startsWithIgnoreCase(href, "https://") ||
         startsWithIgnoreCase(href, "mailto:") || startsWithIgnoreCase(href, "ftp://");
}

class TextRenderer {
 public:
  std::string render(xmlNode* start) {
    for (xmlNode* node = start; node != nullptr;) {
      if (enter(node) && node->children != nullptr) {
        node = node->children;
        continue;
      }
      leave(node);
      while (node != start && node->next == nullptr) {
        node = node->parent;
        leave(node);
      }
      if (node == start) break;
      node = node->next;
    }
    return finish();
  }

 private:
  struct Link {
    std::string href;
    std::size_t text_begin;
  };

  bool enter(xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      text(node->content != nullptr ? reinterpret_cast<const char*>(node->content) : "");
      return false;
    }
    if (node->type != XML_ELEMENT_NODE) return false;
    const std::string_view name = nameOf(node);
    if (isSkipped(name)) return false;
    if (name == "br") {
      if (!out_.empty()) ++pending_newlines_;
      pending_space_ = false;
      return false;
    }
    if (name == "p") {
      // Workaround: Outlook/Word HTML writes each line as <p class=MsoNormal> with zero margins.
      const bool outlook_line = attribute(node, "class").find("MsoNormal") != std::string::npos;
      breakLines(outlook_line ? 1 : 2);
    } else if (isParagraph(name)) {
      breakLines(2);
    } else if (isBlock(name)) {
      breakLines(1);
    }
    if (name == "pre") ++pre_depth_;
    if (name == "blockquote") ++quote_depth_;
    if (name == "ul" || name == "ol") ++list_depth_;
    if (name == "li") bullet_ = true;
    if (name == "tr") rows_.push_back(false);
    if ((name == "td" || name == "th") && !rows_.empty() && rows_.back()) cell_separator_ = true;
    if (name == "a") links_.push_back({attribute(node, "href"), out_.size()});
    return true;
  }

  void leave(xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE) return;
    const std::string_view name = nameOf(node);
    if (isSkipped(name) || name == "br") return;
    if (name == "a" && !links_.empty()) {
      const Link link = links_.back();
      links_.pop_back();
      closeLink(link);
    }
    if (name == "pre" && pre_depth_ > 0) --pre_depth_;
    if (name == "blockquote" && quote_depth_ > 0) --quote_depth_;
    if ((name == "ul" || name == "ol") && list_depth_ > 0) --list_depth_;
    if (name == "tr" && !rows_.empty()) rows_.pop_back();
    if (name == "li") bullet_ = false;
    if (name == "td" || name == "th") pending_space_ = true;
    if (isParagraph(name)) {
      breakLines(
          name == "p" && attribute(node, "class").find("MsoNormal") != std::string::npos ? 1 : 2);
    } else if (isBlock(name)) {
      breakLines(1);
    }
  }

  void closeLink(const Link& link) {
    if (!isShownUrl(link.href)) return;
    std::string shown = out_.substr(std::min(link.text_begin, out_.size()));
    const std::size_t begin = shown.find_first_not_of(" \n>-");
    shown = begin == std::string::npos ? "" : shown.substr(begin);
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\n')) shown.pop_back();
    if (shown.empty() || comparableUrl(shown) == comparableUrl(link.href)) return;
    std::string href = link.href;
    href.erase(std::remove_if(href.begin(), href.end(),
                              [](char c) { return c == '\n' || c == '\r' || c == '\t'; }),
               href.end());
    emit(" <" + href + ">");
  }

  void breakLines(int count) {
    if (out_.empty()) return;
    pending_newlines_ = std::max(pending_newlines_, count);
    pending_space_ = false;
  }

  void text(std::string_view content) {
    if (pre_depth_ > 0) {
      for (std::size_t i = 0; i < content.size(); ++i) {
        if (content[i] == '\r') continue;
        if (content[i] == '\n') {
          ++pending_newlines_;
          continue;
        }
        emit(content.substr(i, 1));
      }
      return;
    }
    for (std::size_t i = 0; i < content.size(); ++i) {
      const char c = content[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        if (!atLineStart()) pending_space_ = true;
      } else if (c == '\xC2' && i + 1 < content.size() && content[i + 1] == '\xA0') {
        emit(" ");  // &nbsp; is not collapsed by browsers
        ++i;
      } else {
        emit(content.substr(i, 1));
      }
    }
  }

  bool atLineStart() const { return out_.empty() || out_.back() == '\n' || pending_newlines_ > 0; }

  void emit(std::string_view s) {
    if (pending_newlines_ > 0 && !out_.empty()) {
      for (int i = 0; i < std::min(pending_newlines_, 2); ++i) {
        if (i > 0 && quote_depth_ > 0) out_.append(std::string(quote_depth_, '>'));
        out_.push_back('\n');
      }
      at_fresh_line_ = true;
    } else if (out_.empty()) {
      at_fresh_line_ = true;
    }
    pending_newlines_ = 0;
    if (at_fresh_line_) {
      for (int i = 0; i < quote_depth_; ++i) out_.append("> ");
      if (bullet_) {
        out_.append(std::string(2 * std::max(0, list_depth_ - 1), ' '));
        out_.append("- ");
        bullet_ = false;
      }
      at_fresh_line_ = false;
      pending_space_ = false;
      cell_separator_ = false;
    } else if (cell_separator_) {
      out_.append(" | ");
      cell_separator_ = false;
      pending_space_ = false;
    } else if (pending_space_) {
      out_.push_back(' ');
      pending_space_ = false;
    }
    out_.append(s);
    if (!rows_.empty()) rows_.back() = true;
  }

  std::string finish() {
    // Trailing spaces (from &nbsp; spacer paragraphs) and blank-line runs go.
    std::string result;
    std::size_t line_start = 0;
    int blank_run = 0;
    while (line_start <= out_.size()) {
      std::size_t line_end = out_.find('\n', line_start);
      if (line_end == std::string::npos) line_end = out_.size();
      std::string line = out_.substr(line_start, line_end - line_start);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      const bool blank = line.find_first_not_of("> ") == std::string::npos;
      if (blank) {
        ++blank_run;
      } else {
        if (!result.empty()) result.append(blank_run > 0 ? "\n\n" : "\n");
        result.append(line);
        blank_run = 0;
      }
      line_start = line_end + 1;
    }
    return result;
  }

  std::string out_;
  int pending_newlines_ = 0;
  bool pending_space_ = false;
  bool at_fresh_line_ = true;
  bool bullet_ = false;
  bool cell_separator_ = false;
  int pre_depth_ = 0;
  int quote_depth_ = 0;
  int list_depth_ = 0;
  std::vector<bool> rows_;
  std::vector<Link> links_;
};

// Removes `node` and everything after it in document order.
void cutFrom(xmlNode* node) {
  for (xmlNode* level = node; level != nullptr && level->type != XML_DOCUMENT_NODE &&
                              level->type != XML_HTML_DOCUMENT_NODE;
       level = level->parent) {
    while (level->next != nullptr) {
      xmlNode* next = level->next;
      xmlUnlinkNode(next);
      xmlFreeNode(next);
    }
  }
  xmlNode* previous = node->prev;
  while (previous != nullptr && previous->type == XML_TEXT_NODE) previous = previous->prev;
  if (previous != nullptr && previous->type == XML_ELEMENT_NODE && nameOf(previous) == "hr") {
    xmlUnlinkNode(previous);
    xmlFreeNode(previous);
  }
  xmlUnlinkNode(node);
  xmlFreeNode(node);
}

xmlNode* findFirst(xmlNode* start, const std::function<bool(const HtmlElementInfo&)>& starts_cut) {
  for (xmlNode* node = start; node != nullptr;) {
    if (node->type == XML_ELEMENT_NODE) {
      const std::string id = attribute(node, "id");
      const std::string klass = attribute(node, "class");
      if (starts_cut({nameOf(node), id, klass})) return node;
      if (node->children != nullptr) {
        node = node->children;
        continue;
      }
    }
    while (node != start && node->next == nullptr) node = node->parent;
    if (node == start) break;
    node = node->next;
  }
  return nullptr;
}

}  // namespace

std::string htmlToText(std::string_view html) {
  DocPtr doc = parseHtml(html);
  if (!doc) return {};
  xmlNode* root = xmlDocGetRootElement(doc.get());
  return root != nullptr ? TextRenderer().render(root) : std::string();
}

std::string htmlToTextBefore(std::string_view html,
                             const std::function<bool(const HtmlElementInfo&)>& starts_cut) {
  DocPtr doc = parseHtml(html);
  if (!doc) return {};
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return {};
  if (xmlNode* cut = findFirst(root, starts_cut); cut != nullptr && cut != root) cutFrom(cut);
  return TextRenderer().render(root);
}

}  // namespace hd::mime
