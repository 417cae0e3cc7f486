#pragma once
// A flaw found in a mail that was parsed anyway (hd::mime::parse() recovers instead of rejecting).
// Warnings stay typed through the service; only the edges (database row, API, log) turn them into
// text, with render(). Plain values, no GMime types: thread-safe to copy and compare.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hd::mime {

enum class WarningKind {
  // Reported by GMime's parser, one kind per GMime code. `detail` is the input GMime quotes (a
  // header name or value, a multipart subtype), `offset` where it stands in the message.
  kDuplicatedHeader,             // a header that may occur once, repeated identically
  kConflictingHeader,            // a header that may occur once, repeated with another value
  kInvalidHeaderName,            // a line that is no header field: the parser may skip input
  kUnencoded8BitHeader,          // 8-bit bytes in a header instead of RFC 2047 words
  kInvalidRfc2047Value,          // a malformed RFC 2047 encoded word
  kInvalidAddressList,           // an address header GMime cannot parse
  kInvalidContentType,           // unreadable Content-Type: application/octet-stream assumed
  kDuplicatedParameter,          // a header parameter repeated identically
  kConflictingParameter,         // a header parameter repeated with another value
  kInvalidParameter,             // a malformed header parameter
  kMissingBoundary,              // a multipart whose boundary never appears (no child parts)
  kMultipartWithoutBoundary,     // a multipart without a boundary parameter
  kPartWithoutContent,           // a part's headers ended by a boundary line
  kPartWithoutHeadersOrContent,  // an empty part (GMime: likely an exploit attempt)
  kNestingOverflow,              // deeper than GMime's nesting limit
  kMalformedMessage,             // GMime's catch-all for a broken message
  kTruncatedMessage,             // the input ends inside a part (e.g. no closing boundary)
  kOtherParserIssue,             // a GMime code newer than this list

  // Structure, found by our own reading.
  kByteOrderMark,          // a UTF-8 byte order mark before the headers, skipped
  kMultipartWithoutParts,  // `where`: the multipart's type, e.g. "multipart/mixed"
  kTextFromPreamble,       // no body part: the text comes from the multipart preamble

  // Text decoding; `where` names the text ("Subject", "From", "text/plain body", "filename").
  kUndeclared8Bit,       // 8-bit text without a charset, not UTF-8: decoded as windows-1252
  kMislabelledAscii,     // 8-bit text labelled us-ascii, not UTF-8: decoded as windows-1252
  kUnknownCharset,       // `detail`: the label; decoded as windows-1252
  kMislabelledUtf8,      // labelled UTF-8 but none of it is: decoded as windows-1252
  kInvalidUtf8Replaced,  // labelled UTF-8, partly invalid: the bad bytes became U+FFFD
  kUndecodableBytes,     // `count` bytes invalid in charset `detail` became U+FFFD

  // Header values; `where` names the header.
  kAddressesDropped,        // `count` entries of an address list named nobody
  kAddressListRepaired,     // GMime lost entries; a lenient split found more
  kUnparseableDateIgnored,  // a Date value that cannot be read (or lies past year 2200)

  // Limits.
  kBodyTruncated,    // `where`: the body ("text/plain body"); `count`: Limits::max_body_bytes
  kWarningsOmitted,  // `count`: how many warnings were kept (Limits::max_warnings)
};

struct Warning {
  WarningKind kind = WarningKind::kOtherParserIssue;
  std::string where;   // the header or text it concerns, when known ("Subject", "text/html body")
  std::string detail;  // the offending input, one line, bounded (a charset label, a header value)
  std::size_t count = 0;               // for the kinds that count something
  std::optional<std::int64_t> offset;  // byte in the message, when GMime reports one

  bool operator==(const Warning&) const = default;
};

// A stable identifier of the kind, e.g. "unknown_charset", for logs and test messages.
std::string_view toString(WarningKind kind);

// The warning as one line of text: what messages.warnings stores and the API serves, e.g.
// "text/plain body: unknown charset \"x-made-up\", decoded as windows-1252".
std::string render(const Warning& warning);

}  // namespace hd::mime
