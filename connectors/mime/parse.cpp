#include "connectors/mime/parse.hpp"

#include <Poco/Logger.h>

#include <algorithm>

#include "connectors/mime/charset.hpp"
#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/headers.hpp"
#include "connectors/mime/html_to_text.hpp"
#include "connectors/mime/part_walker.hpp"
#include "connectors/mime/prescan.hpp"
#include "connectors/mime/quoted_history.hpp"

namespace hd::mime {
namespace {

const char* describe(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
      return "duplicated header";
    case GMIME_WARN_DUPLICATED_PARAMETER:
      return "duplicated header parameter";
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
      return "unencoded 8-bit header";
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      return "invalid content type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      return "invalid RFC 2047 header value";
    case GMIME_WARN_MALFORMED_MULTIPART:
      return "malformed multipart (missing boundary)";
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return "truncated message";
    case GMIME_WARN_MALFORMED_MESSAGE:
      return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return "invalid header name";
    case GMIME_CRIT_CONFLICTING_HEADER:
      return "conflicting header";
    case GMIME_CRIT_CONFLICTING_PARAMETER:
      return "conflicting header parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "multipart without boundary";
    case GMIME_WARN_INVALID_PARAMETER:
      return "invalid header parameter";
    case GMIME_WARN_INVALID_ADDRESS_LIST:
      return "invalid address list";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "MIME nesting overflow";
    case GMIME_WARN_PART_WITHOUT_CONTENT:
      return "part without content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "part without headers or content";
  }
  return "parser warning";
}

struct ParserReport {
  std::vector<Warning>* warnings;
  std::size_t max_warnings;  // a hostile header block yields one warning per line: stop early
  bool nesting_overflow = false;
};

void onParserWarning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
  auto* report = static_cast<ParserReport*>(data);
  if (code == GMIME_CRIT_NESTING_OVERFLOW) report->nesting_overflow = true;
  if (report->warnings->size() > report->max_warnings) return;
  std::string what = describe(code);
  if (item != nullptr && *item != '\0') {
    // The item is raw input: one line, bounded, so a hostile header cannot flood the log/database.
    std::string shown;
    for (const char* c = item; *c != '\0' && shown.size() < 80; ++c) {
      if (*c != '\r' && *c != '\n') shown.push_back(*c);
    }
    what += ": " + shown;
  }
  if (offset >= 0) what += " (at byte " + std::to_string(offset) + ")";
  report->warnings->push_back({std::move(what)});
}

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
  warnings.push_back({"warnings after the first " + std::to_string(max) + " omitted"});
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
  result.warnings.push_back({"no body part; text taken from the multipart preamble"});
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
    result.warnings.push_back({"UTF-8 byte order mark before the headers ignored"});
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

}  // namespace hd::mime
