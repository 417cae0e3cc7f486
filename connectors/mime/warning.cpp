#include "connectors/mime/warning.hpp"

namespace hd::mime {
namespace {

// The phrase of a kind GMime's parser reports ("" for the kinds we find ourselves).
std::string_view parserPhrase(WarningKind kind) {
  switch (kind) {
    case WarningKind::kDuplicatedHeader:
      return "duplicated header";
    case WarningKind::kConflictingHeader:
      return "conflicting header";
    case WarningKind::kInvalidHeaderName:
      return "invalid header name";
    case WarningKind::kUnencoded8BitHeader:
      return "unencoded 8-bit header";
    case WarningKind::kInvalidRfc2047Value:
      return "invalid RFC 2047 header value";
    case WarningKind::kInvalidAddressList:
      return "invalid address list";
    case WarningKind::kInvalidContentType:
      return "invalid content type";
    case WarningKind::kDuplicatedParameter:
      return "duplicated header parameter";
    case WarningKind::kConflictingParameter:
      return "conflicting header parameter";
    case WarningKind::kInvalidParameter:
      return "invalid header parameter";
    case WarningKind::kMissingBoundary:
      return "malformed multipart (missing boundary)";
    case WarningKind::kMultipartWithoutBoundary:
      return "multipart without boundary";
    case WarningKind::kPartWithoutContent:
      return "part without content";
    case WarningKind::kPartWithoutHeadersOrContent:
      return "part without headers or content";
    case WarningKind::kNestingOverflow:
      return "MIME nesting overflow";
    case WarningKind::kMalformedMessage:
      return "malformed message";
    case WarningKind::kTruncatedMessage:
      return "truncated message";
    case WarningKind::kOtherParserIssue:
      return "parser warning";
    default:
      return {};
  }
}

// "<phrase>[: <detail>][ (at byte N)]", the form GMime's reports have always been stored in.
std::string renderParserIssue(std::string_view phrase, const Warning& w) {
  std::string text(phrase);
  if (!w.detail.empty()) text += ": " + w.detail;
  if (w.offset && *w.offset >= 0) text += " (at byte " + std::to_string(*w.offset) + ")";
  return text;
}

std::string decodedAs1252(const Warning& w, std::string_view why) {
  return w.where + ": " + std::string(why) + ", decoded as windows-1252";
}

}  // namespace

std::string_view toString(WarningKind kind) {
  switch (kind) {
    case WarningKind::kDuplicatedHeader:
      return "duplicated_header";
    case WarningKind::kConflictingHeader:
      return "conflicting_header";
    case WarningKind::kInvalidHeaderName:
      return "invalid_header_name";
    case WarningKind::kUnencoded8BitHeader:
      return "unencoded_8bit_header";
    case WarningKind::kInvalidRfc2047Value:
      return "invalid_rfc2047_value";
    case WarningKind::kInvalidAddressList:
      return "invalid_address_list";
    case WarningKind::kInvalidContentType:
      return "invalid_content_type";
    case WarningKind::kDuplicatedParameter:
      return "duplicated_parameter";
    case WarningKind::kConflictingParameter:
      return "conflicting_parameter";
    case WarningKind::kInvalidParameter:
      return "invalid_parameter";
    case WarningKind::kMissingBoundary:
      return "missing_boundary";
    case WarningKind::kMultipartWithoutBoundary:
      return "multipart_without_boundary";
    case WarningKind::kPartWithoutContent:
      return "part_without_content";
    case WarningKind::kPartWithoutHeadersOrContent:
      return "part_without_headers_or_content";
    case WarningKind::kNestingOverflow:
      return "nesting_overflow";
    case WarningKind::kMalformedMessage:
      return "malformed_message";
    case WarningKind::kTruncatedMessage:
      return "truncated_message";
    case WarningKind::kOtherParserIssue:
      return "other_parser_issue";
    case WarningKind::kByteOrderMark:
      return "byte_order_mark";
    case WarningKind::kMultipartWithoutParts:
      return "multipart_without_parts";
    case WarningKind::kTextFromPreamble:
      return "text_from_preamble";
    case WarningKind::kUndeclared8Bit:
      return "undeclared_8bit";
    case WarningKind::kMislabelledAscii:
      return "mislabelled_ascii";
    case WarningKind::kUnknownCharset:
      return "unknown_charset";
    case WarningKind::kMislabelledUtf8:
      return "mislabelled_utf8";
    case WarningKind::kInvalidUtf8Replaced:
      return "invalid_utf8_replaced";
    case WarningKind::kUndecodableBytes:
      return "undecodable_bytes";
    case WarningKind::kAddressesDropped:
      return "addresses_dropped";
    case WarningKind::kAddressListRepaired:
      return "address_list_repaired";
    case WarningKind::kUnparseableDateIgnored:
      return "unparseable_date_ignored";
    case WarningKind::kBodyTruncated:
      return "body_truncated";
    case WarningKind::kWarningsOmitted:
      return "warnings_omitted";
  }
  return "unknown";
}

std::string render(const Warning& w) {
  switch (w.kind) {
    case WarningKind::kDuplicatedHeader:
    case WarningKind::kConflictingHeader:
    case WarningKind::kInvalidHeaderName:
    case WarningKind::kUnencoded8BitHeader:
    case WarningKind::kInvalidRfc2047Value:
    case WarningKind::kInvalidAddressList:
    case WarningKind::kInvalidContentType:
    case WarningKind::kDuplicatedParameter:
    case WarningKind::kConflictingParameter:
    case WarningKind::kInvalidParameter:
    case WarningKind::kMissingBoundary:
    case WarningKind::kMultipartWithoutBoundary:
    case WarningKind::kPartWithoutContent:
    case WarningKind::kPartWithoutHeadersOrContent:
    case WarningKind::kNestingOverflow:
    case WarningKind::kMalformedMessage:
    case WarningKind::kTruncatedMessage:
    case WarningKind::kOtherParserIssue:
      return renderParserIssue(parserPhrase(w.kind), w);
    case WarningKind::kByteOrderMark:
      return "UTF-8 byte order mark before the headers ignored";
    case WarningKind::kMultipartWithoutParts:
      return w.where + " without parts";
    case WarningKind::kTextFromPreamble:
      return "no body part; text taken from the multipart preamble";
    case WarningKind::kUndeclared8Bit:
      return decodedAs1252(w, "8-bit text without charset");
    case WarningKind::kMislabelledAscii:
      return decodedAs1252(w, "8-bit text labelled us-ascii");
    case WarningKind::kUnknownCharset:
      return decodedAs1252(w, "unknown charset \"" + w.detail + "\"");
    case WarningKind::kMislabelledUtf8:
      return decodedAs1252(w, "invalid UTF-8");
    case WarningKind::kInvalidUtf8Replaced:
      return w.where + ": invalid UTF-8 sequences replaced by U+FFFD";
    case WarningKind::kUndecodableBytes:
      return w.where + ": " + std::to_string(w.count) + " invalid " + w.detail +
             " sequence(s) replaced by U+FFFD";
    case WarningKind::kAddressesDropped:
      return w.where + ": " + std::to_string(w.count) + " entries without a usable address dropped";
    case WarningKind::kAddressListRepaired:
      return w.where + ": malformed address list repaired";
    case WarningKind::kUnparseableDateIgnored:
      return w.where + ": unparseable value ignored";
    case WarningKind::kBodyTruncated:
      return w.where + ": cut after " + std::to_string(w.count) +
             " bytes; the raw message keeps all of it";
    case WarningKind::kWarningsOmitted:
      return "warnings after the first " + std::to_string(w.count) + " omitted";
  }
  return std::string(toString(w.kind));
}

}  // namespace hd::mime
