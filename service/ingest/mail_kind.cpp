#include "service/ingest/mail_kind.hpp"

#include <algorithm>

#include "service/ingest/address.hpp"
#include "service/ingest/bounce.hpp"

namespace hd::ingest {
namespace {

// "auto-replied; owner-email=..." -> "auto-replied": the keyword before any parameter, lowercase.
std::string keyword(const std::string& value) {
  std::string k;
  for (char c : value.substr(0, value.find(';'))) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    k += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return k;
}

MailKind kind(Classification c, std::string reason) {
  return {c, std::move(reason)};
}

}  // namespace

MailKind classifyMail(const mime::Message& message, const Policy& policy) {
  using C = Classification;
  const std::string sender = senderAddress(message);
  if (!sender.empty() &&
      std::any_of(policy.own_addresses.begin(), policy.own_addresses.end(),
                  [&](const std::string& own) { return normalizedAddress(own) == sender; })) {
    return kind(C::kOwnMail, "sent by our own address " + sender);
  }
  if (auto reason = bounceReason(message)) return kind(C::kBounce, "bounce: " + *reason);

  const mime::AutomationHeaders& h = message.automation;
  const std::string auto_submitted = keyword(h.auto_submitted);
  if (!auto_submitted.empty() && auto_submitted != "no") {
    return kind(C::kAutoReply, "Auto-Submitted: " + auto_submitted);
  }
  if (!h.x_autoreply.empty()) return kind(C::kAutoReply, "X-Autoreply header");
  if (!h.x_autorespond.empty()) return kind(C::kAutoReply, "X-Autorespond header");
  if (!h.x_auto_response_suppress.empty()) {
    return kind(C::kAutoReply, "X-Auto-Response-Suppress: " + h.x_auto_response_suppress);
  }
  const std::string precedence = keyword(h.precedence);
  if (precedence == "auto_reply") return kind(C::kAutoReply, "Precedence: auto_reply");
  if (h.content_type == "multipart/report" && h.report_type == "disposition-notification") {
    return kind(C::kAutoReply, "read receipt (RFC 8098 disposition notification)");
  }
  if (localPart(sender) == "postmaster") return kind(C::kAutoReply, "sent by " + sender);
  if (h.return_path && h.return_path->empty()) {
    return kind(C::kAutoReply, "null Return-Path <>");
  }
  if (precedence == "bulk" || precedence == "junk" || precedence == "list") {
    return kind(C::kBulk, "Precedence: " + precedence);
  }
  if (!h.list_id.empty()) return kind(C::kBulk, "mailing list (List-Id)");
  return {};
}

}  // namespace hd::ingest
