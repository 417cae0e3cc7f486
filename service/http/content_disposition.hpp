#pragma once
// Safe download headers for stored attachments, whose names and types come from untrusted mail.
// Pure functions.

#include <string>

namespace hd::service::http {

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266,
// RFC 8187). Path separators, control characters, quotes and leading dots never survive; an empty
// result becomes "attachment".
std::string contentDisposition(const std::string& filename);

// `type/subtype` when `content_type` is a plain RFC 2045 token pair (lowercased, parameters
// dropped), else application/octet-stream.
std::string safeContentType(const std::string& content_type);

}  // namespace hd::service::http
