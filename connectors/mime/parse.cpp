#include "connectors/mime/parse.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <optional>

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
  g_mime_stream_set_bounds(budget->stream, budget->stream->bound_start,
                           std::max<gint64>(offset, budget->stream->bound_start));
}

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const noexcept {
    g_mime_parser_options_free(options);
  }
};

// Size of the top-level header block (up to the first empty line, LF or CRLF), in one pass that
// stops there: a search per spelling read all of a message for the spelling it does not use.
std::size_t headerBytes(std::string_view raw) {
  for (std::size_t lf = raw.find('\n'); lf != std::string_view::npos; lf = raw.find('\n', lf + 1)) {
    const std::string_view next = raw.substr(lf + 1);
    if (next.starts_with('\n') || next.starts_with("\r\n")) return lf;
  }
  return raw.size();
}

std::size_t headerBytes(std::string_view raw, std::size_t /*max*/) {
  return headerBytes(raw);
}

// The same for a spilled message, read only as far as `max` needs: past it, any size over `max`.
std::uint64_t headerBytes(const spill::Bytes& raw, std::size_t max) {
  // An empty line within the first max bytes ends within max + 3 of them.
  const std::string head = raw.head(max + 3);
  const std::size_t in_head = headerBytes(head);
  return in_head < head.size() ? in_head : raw.size();
}

bool isBlank(std::string_view bytes) {
  return bytes.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Whether a spilled message is only whitespace, read until its first other byte.
bool isBlank(const spill::Bytes& raw) {
  constexpr std::size_t kChunk = 64 * 1024;
  std::string chunk(kChunk, '\0');
  for (std::uint64_t at = 0; at < raw.size();) {
    const std::size_t n = raw.file()->readAt(at, chunk.data(), chunk.size());
    if (n == 0) break;
    if (!isBlank(std::string_view(chunk.data(), n))) return false;
    at += n;
  }
  return true;
}

Prescan prescanOf(std::string_view raw, const Limits& limits) {
  return prescan(raw, limits);
}

Prescan prescanOf(const spill::Bytes& raw, const Limits& limits) {
  return prescanBytes(raw, limits);
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

// The bounds parse() checks on the raw bytes before GMime reads them, in their order: the error
// of the first one broken. `raw` is a std::string_view or a spilled spill::Bytes.
template <class Raw>
std::optional<std::string> brokenBound(const Raw& raw, const Limits& limits) {
  if (raw.size() > limits.max_message_bytes) {
    return "message of " + std::to_string(raw.size()) + " bytes exceeds the limit of " +
           std::to_string(limits.max_message_bytes);
  }
  if (isBlank(raw)) return "empty message";
  if (headerBytes(raw, limits.max_header_bytes) > limits.max_header_bytes) {
    return "header block larger than " + std::to_string(limits.max_header_bytes) + " bytes";
  }
  const Prescan scan = prescanOf(raw, limits);
  if (scan.parameter_bytes > limits.max_parameter_bytes) {
    return "Content-Type and Content-Disposition fields larger than " +
           std::to_string(limits.max_parameter_bytes) + " bytes together";
  }
  // Each part but the first starts at a boundary line, and a multipart adds one closing line.
  if (scan.boundary_lines > 2 * limits.max_parts) {
    return "more than " + std::to_string(limits.max_parts) + " MIME parts";
  }
  return std::nullopt;
}

// Workaround: .eml files saved by Windows tools can start with a UTF-8 byte order mark, which
// would otherwise become part of the first header's name (MimeKit feedback-report.txt).
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// GMime reads the message from `stream`, whose first byte is byte `origin` of the message: offsets
// in warnings count from there, as they would for the bytes alone. The stream's first byte is byte
// `raw_origin` of the raw message (after a byte order mark).
ParseResult parseStream(GMimeStream* stream, gint64 origin, gint64 raw_origin, ParseResult result,
                        const Limits& limits) {
  ParserReport report{&result.warnings, limits.max_warnings, origin};
  std::unique_ptr<GMimeParserOptions, ParserOptionsFree> options(g_mime_parser_options_new());
  g_mime_parser_options_set_warning_callback(options.get(), onParserWarning, &report);
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream));
  HeaderFieldBudget budget{stream, limits.max_header_fields};
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
    PartWalker walker(limits, RawSource{stream, raw_origin}, out, result.warnings);
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

}  // namespace

ParseResult parse(std::string_view raw, const Limits& limits) {
  const std::string_view whole = raw;
  ensureGMimeInitialised();
  if (auto error = brokenBound(raw, limits)) return failure(std::move(*error));
  ParseResult result;
  if (raw.starts_with(kByteOrderMark)) {
    raw.remove_prefix(kByteOrderMark.size());
    result.warnings.push_back({.kind = WarningKind::kByteOrderMark});
  }
  // A GByteArray counts its bytes in a guint.
  if (raw.size() > G_MAXUINT) return failure("message too large to parse in memory");
  const BorrowedMemoryStream stream(raw);
  return parseStream(stream.get(), 0, static_cast<gint64>(raw.data() - whole.data()),
                     std::move(result), limits);
}

// GMime reads a spilled message from its file: the contents of its parts stay there until they
// are decoded, attachments into spill files of their own.
ParseResult parseBytes(const spill::Bytes& raw, const Limits& limits) {
  if (raw.inMemory()) return parse(std::string_view(raw.memory()), limits);
  ensureGMimeInitialised();
  if (auto error = brokenBound(raw, limits)) return failure(std::move(*error));
  ParseResult result;
  std::uint64_t start = 0;
  if (raw.head(kByteOrderMark.size()) == kByteOrderMark) {
    start = kByteOrderMark.size();
    result.warnings.push_back({.kind = WarningKind::kByteOrderMark});
  }
  GPtr<GMimeStream> stream = fileStream(*raw.file(), start);
  return parseStream(stream.get(), static_cast<gint64>(start), static_cast<gint64>(start),
                     std::move(result), limits);
}

}  // namespace hd::mime
