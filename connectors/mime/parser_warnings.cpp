#include "connectors/mime/parser_warnings.hpp"

namespace hd::mime {

WarningKind kindOf(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
      return WarningKind::kDuplicatedHeader;
    case GMIME_WARN_DUPLICATED_PARAMETER:
      return WarningKind::kDuplicatedParameter;
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
      return WarningKind::kUnencoded8BitHeader;
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      return WarningKind::kInvalidContentType;
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      return WarningKind::kInvalidRfc2047Value;
    case GMIME_WARN_MALFORMED_MULTIPART:
      return WarningKind::kMissingBoundary;
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return WarningKind::kTruncatedMessage;
    case GMIME_WARN_MALFORMED_MESSAGE:
      return WarningKind::kMalformedMessage;
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return WarningKind::kInvalidHeaderName;
    case GMIME_CRIT_CONFLICTING_HEADER:
      return WarningKind::kConflictingHeader;
    case GMIME_CRIT_CONFLICTING_PARAMETER:
      return WarningKind::kConflictingParameter;
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return WarningKind::kMultipartWithoutBoundary;
    case GMIME_WARN_INVALID_PARAMETER:
      return WarningKind::kInvalidParameter;
    case GMIME_WARN_INVALID_ADDRESS_LIST:
      return WarningKind::kInvalidAddressList;
    case GMIME_CRIT_NESTING_OVERFLOW:
      return WarningKind::kNestingOverflow;
    case GMIME_WARN_PART_WITHOUT_CONTENT:
      return WarningKind::kPartWithoutContent;
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return WarningKind::kPartWithoutHeadersOrContent;
  }
  return WarningKind::kOtherParserIssue;
}

void onParserWarning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
  auto* report = static_cast<ParserReport*>(data);
  if (code == GMIME_CRIT_NESTING_OVERFLOW) report->nesting_overflow = true;
  if (report->warnings->size() > report->max_warnings) return;
  Warning warning{.kind = kindOf(code)};
  if (item != nullptr) {
    // The item is raw input: one line, bounded, so a hostile header cannot flood the log/database.
    for (const char* c = item; *c != '\0' && warning.detail.size() < 80; ++c) {
      if (*c != '\r' && *c != '\n') warning.detail.push_back(*c);
    }
  }
  if (offset >= report->origin) warning.offset = offset - report->origin;
  report->warnings->push_back(std::move(warning));
}

}  // namespace hd::mime
