#pragma once
// Delivery failure reports ("bounces"): recognising them and finding the mail they return.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/message.hpp"

namespace hd::ingest {

// A bounce is untrusted input: at most this many Message-IDs are taken from it.
constexpr std::size_t kMaxBouncedMessageIds = 50;

// Why `message` is a bounce ("delivery status report", "from MAILER-DAEMON"), or nothing:
// - multipart/report; report-type=delivery-status (RFC 3464, RFC 6522);
// - From/Sender MAILER-DAEMON@ (the conventional bounce sender of sendmail, Postfix, Exim);
// - From postmaster@ or a null Return-Path (<>, RFC 5321 section 4.5.5) with a delivery-failure
//   subject (Exchange "Undeliverable:", Postfix "Undelivered Mail Returned to Sender", qmail
//   "failure notice", Gmail "Delivery Status Notification (Failure)", ...).
std::optional<std::string> bounceReason(const mime::Message& message);

// Message-IDs (no brackets) of the returned mail, most specific first: from each returned header
// block (message/rfc822, message/global, text/rfc822-headers, message/global-headers parts) its
// Message-ID, In-Reply-To, then References newest first; then the same fields found in the text
// body (qmail and Exim paste the returned mail into the body). The bounce's own Message-ID is
// never returned. Deduplicated, at most kMaxBouncedMessageIds.
std::vector<std::string> bouncedMessageIds(const mime::Message& message);

// Whether bouncedMessageIds() reads the content of an attachment of this type (a returned header
// block): the parse must keep such contents (mime::Limits::keep_span_content).
bool carriesReturnedHeaders(std::string_view content_type);

}  // namespace hd::ingest
