#include "connectors/mime/parse.hpp"

#include <Poco/Logger.h>

#include <algorithm>

#include "connectors/mime/charset.hpp"
#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/headers.hpp"
#include "connectors/mime/html_to_text.hpp"
#include "connectors/mime/parser_warnings.hpp"
#include "connectors/mime/part_walker.hpp"
#include "connectors/mime/prescan.hpp"
#include "connectors/mime/quoted_history.hpp"

namespace hd::mime {
namespace {

// Counts header fields as GMime reads them, in every header block. Past the limit it ends the
// input stream where GMime stands, so GMime stops within one read buffer instead of building an
// object for each of millions of fields.
struct HeaderFieldBudget {
  GMimeStream* stream;
  std::size_t max_fields;
  std::size_t fields = 0;
  bool exceeded = false;
};

void onHeaderField(GMimeParser*, const char*, const char*, gint64 offset, gpointer data) {
  auto* budget = static_cast<HeaderFieldBudget*>(data);
  if (++budget->fields <= budget->max_fields || budget->exceeded) return;
  budget->exceeded = true;
  g_mime_stream_set_bounds(budget->stream, 0, std::max<gint64>(offset, 0));
}

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const noexcept {
    g_mime_parser_options_free(options);
  }
};

// Size of the top-level header block (up to the first empty line).
std::size_t headerBytes(std::string_view raw) {
  const std::size_t lf = raw.find("\n\n");
  const std::size_t crlf = raw.find("\n\r\n");
  return std::min({lf, crlf, raw.size()});
}

// GMime files the Content-* fields of the top-level header block under the body part, so a
// message whose only header is Content-Type has headers too.
bool hasHeaders(GMimeMessage* message) {
  if (message == nullptr) return false;
  for (GMimeObject* object : {GMIME_OBJECT(message), g_mime_message_get_mime_part(message)}) {
    GMimeHeaderList* headers = object ? g_mime_object_get_header_list(object) : nullptr;
    if (headers != nullptr && g_mime_header_list_get_count(headers) > 0) return true;
  }
  return false;
}

ParseResult failure(std::string error, std::vector<Warning> warnings = {}) {
  Poco::Logger::get("hd.mime").information("message not parsed: " + error);
  ParseResult result;
  result.error = std::move(error);
  result.warnings = std::move(warnings);
  return result;
}

void capWarnings(std::vector<Warning>& warnings, std::size_t max) {
  if (warnings.size() <= max) return;
  warnings.resize(max);
  warnings.push_back({.kind = WarningKind::kWarningsOmitted, .count = max});
}

// Old reports (MimeKit delivery-status.txt) and multiparts whose boundary never appears carry
// their only readable text before the first boundary; the usual MIME filler line is not text.
void useMultipartPreamble(GMimeObject* body, ParseResult& result) {
  if (!GMIME_IS_MULTIPART(body)) return;
  const char* prologue = g_mime_multipart_get_prologue(GMIME_MULTIPART(body));
  if (prologue == nullptr) return;
  std::string text = toUtf8(prologue, "", result.warnings, "multipart preamble");
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  const std::size_t begin = text.find_first_not_of(" \t\n");
  if (begin == std::string::npos) return;
  text.erase(0, begin);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.rfind("This is a multi-part message in MIME format", 0) == 0 ||
      text.rfind("This is a multipart message in MIME format", 0) == 0) {
    return;
  }
  result.message.text_body = std::move(text);
  result.warnings.push_back({.kind = WarningKind::kTextFromPreamble});
}

}  // namespace

ParseResult parse(std::string_view raw, const Limits& limits) {
  ensureGMimeInitialised();
  if (raw.size() > limits.max_message_bytes) {
    return failure("message of " + std::to_string(raw.size()) + " bytes exceeds the limit of " +
                   std::to_string(limits.max_message_bytes));
  }
  if (raw.find_first_not_of(" \t\r\n") == std::string_view::npos) return failure("empty message");
  if (headerBytes(raw) > limits.max_header_bytes) {
    return failure("header block larger than " + std::to_string(limits.max_header_bytes) +
                   " bytes");
  }
  const Prescan scan = prescan(raw, limits);
  if (scan.parameter_bytes > limits.max_parameter_bytes) {
    return failure("Content-Type and Content-Disposition fields larger than " +
                   std::to_string(limits.max_parameter_bytes) + " bytes together");
  }
  // Each part but the first starts at a boundary line, and a multipart adds one closing line.
  if (scan.boundary_lines > 2 * limits.max_parts) {
    return failure("more than " + std::to_string(limits.max_parts) + " MIME parts");
  }

  ParseResult result;
  // Workaround: .eml files saved by Windows tools can start with a UTF-8 byte order mark, which
  // would otherwise become part of the first header's name (MimeKit feedback-report.txt).
  if (raw.starts_with("\xEF\xBB\xBF")) {
    raw.remove_prefix(3);
    result.warnings.push_back({.kind = WarningKind::kByteOrderMark});
  }
  ParserReport report{&result.warnings, limits.max_warnings};
  std::unique_ptr<GMimeParserOptions, ParserOptionsFree> options(g_mime_parser_options_new());
  g_mime_parser_options_set_warning_callback(options.get(), onParserWarning, &report);
  GPtr<GMimeStream> stream = memoryStream(raw);
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  HeaderFieldBudget budget{stream.get(), limits.max_header_fields};
  g_mime_parser_set_header_regex(parser.get(), "^", onHeaderField, &budget);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
  if (budget.exceeded) {
    return failure("more than " + std::to_string(limits.max_header_fields) + " header fields",
                   std::move(result.warnings));
  }
  if (report.nesting_overflow) {
    return failure("MIME nesting deeper than GMime's limit", std::move(result.warnings));
  }
  if (!hasHeaders(message.get())) {
    return failure("no message headers found", std::move(result.warnings));
  }

  Message& out = result.message;
  readHeaders(message.get(), out, result.warnings);
  if (GMimeObject* body = g_mime_message_get_mime_part(message.get()); body != nullptr) {
    PartWalker walker(limits, out, result.warnings);
    if (!walker.walk(body)) return failure(walker.error(), std::move(result.warnings));
    if (out.text_body.empty() && out.html_body.empty()) useMultipartPreamble(body, result);
    if (!walker.hasPlainText() && !out.html_body.empty()) {
      out.text_body = htmlToText(out.html_body);
      out.text_body_new = stripQuotedHistoryHtml(out.html_body);
    } else {
      out.text_body_new = stripQuotedHistory(out.text_body);
    }
  }
  capWarnings(result.warnings, limits.max_warnings);
  result.ok = true;
  return result;
}

// A spilled message is read back into memory here for now; parsing from the file comes with the
// streaming parser.
ParseResult parseBytes(const spill::Bytes& raw, const Limits& limits) {
  if (raw.inMemory()) return parse(std::string_view(raw.memory()), limits);
  if (raw.size() > limits.max_message_bytes) {
    return failure("message of " + std::to_string(raw.size()) + " bytes exceeds the limit of " +
                   std::to_string(limits.max_message_bytes));
  }
  return parse(std::string_view(raw.toString()), limits);
}

}  // namespace hd::mime
