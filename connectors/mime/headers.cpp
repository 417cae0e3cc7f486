#include "connectors/mime/headers.hpp"

#include <cstdint>

#include "connectors/mime/address.hpp"
#include "connectors/mime/ascii.hpp"
#include "connectors/mime/rfc2047.hpp"

namespace hd::mime {
namespace {

GMimeObject* asObject(GMimeMessage* message) {
  return GMIME_OBJECT(message);
}

std::string unfolded(GMimeMessage* message, const char* name) {
  const RawHeader header = rawHeader(asObject(message), name);
  return header.present ? unfoldHeader(header.value) : std::string();
}

std::vector<Address> addresses(GMimeMessage* message, const char* name,
                               std::vector<Warning>& warnings) {
  const RawHeader header = rawHeader(asObject(message), name);
  if (!header.present) return {};
  return parseAddressList(header.value, warnings, name);
}

std::optional<Address> firstAddress(GMimeMessage* message, const char* name,
                                    std::vector<Warning>& warnings) {
  std::vector<Address> list = addresses(message, name, warnings);
  if (list.empty()) return std::nullopt;
  return std::move(list.front());
}

std::string stripAngles(std::string_view id) {
  return std::string(trimView(id, " \t<>"));
}

// RFC 5322 3.6.4 msg-id lists; GMime's parser tolerates missing brackets and comments.
std::vector<std::string> messageIds(const std::string& value) {
  std::vector<std::string> ids;
  if (value.empty()) return ids;
  GMimeReferences* refs = g_mime_references_parse(nullptr, value.c_str());
  if (refs != nullptr) {
    const int count = g_mime_references_length(refs);
    for (int i = 0; i < count; ++i) {
      const char* id = g_mime_references_get_message_id(refs, i);
      if (id != nullptr && *id != '\0') ids.emplace_back(id);
    }
    g_mime_references_free(refs);
  }
  if (ids.empty()) {
    const std::string bare = stripAngles(value);
    if (!bare.empty() && bare.find(' ') == std::string::npos) ids.push_back(bare);
  }
  return ids;
}

std::optional<std::chrono::system_clock::time_point> dateOf(GMimeMessage* message) {
  GDateTime* date = g_mime_message_get_date(message);
  if (date == nullptr) return std::nullopt;
  // system_clock counts nanoseconds in libstdc++: years past 2262 (found by fuzzing: "Date: ...
  // 9999") would overflow, and no real mail is dated there.
  constexpr std::int64_t kMaxSeconds = 8'000'000'000;
  const std::int64_t seconds = g_date_time_to_unix(date);
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return std::nullopt;
  return std::chrono::system_clock::time_point(
      std::chrono::seconds(seconds) + std::chrono::microseconds(g_date_time_get_microsecond(date)));
}

}  // namespace

void readHeaders(GMimeMessage* source, Message& message, std::vector<Warning>& warnings) {
  const RawHeader subject = rawHeader(asObject(source), "Subject");
  if (subject.present) message.subject = decodeHeaderText(subject.value, warnings, "Subject");
  message.from = firstAddress(source, "From", warnings);
  message.sender = firstAddress(source, "Sender", warnings);
  message.to = addresses(source, "To", warnings);
  message.cc = addresses(source, "Cc", warnings);
  message.reply_to = addresses(source, "Reply-To", warnings);

  const std::vector<std::string> own_id = messageIds(unfolded(source, "Message-ID"));
  if (!own_id.empty()) message.message_id = own_id.front();
  const std::vector<std::string> parent = messageIds(unfolded(source, "In-Reply-To"));
  if (!parent.empty()) message.in_reply_to = parent.front();
  message.references = messageIds(unfolded(source, "References"));

  message.date = dateOf(source);
  if (!message.date && rawHeader(asObject(source), "Date").present) {
    warnings.push_back({.kind = WarningKind::kUnparseableDateIgnored, .where = "Date"});
  }

  AutomationHeaders& automation = message.automation;
  automation.auto_submitted = unfolded(source, "Auto-Submitted");
  automation.precedence = unfolded(source, "Precedence");
  automation.x_auto_response_suppress = unfolded(source, "X-Auto-Response-Suppress");
  automation.x_autoreply = unfolded(source, "X-Autoreply");
  automation.x_autorespond = unfolded(source, "X-Autorespond");
  automation.list_id = unfolded(source, "List-Id");
  if (rawHeader(asObject(source), "Return-Path").present) {
    automation.return_path = stripAngles(unfolded(source, "Return-Path"));
  }
  if (GMimeObject* body = g_mime_message_get_mime_part(source); body != nullptr) {
    automation.content_type = mimeType(body);
    const char* report_type = g_mime_object_get_content_type_parameter(body, "report-type");
    if (report_type != nullptr) automation.report_type = asciiLower(report_type);
  }
}

ForwardedMessage readForwarded(GMimeMessage* source) {
  Message inner;
  std::vector<Warning> ignored;  // the attachment is kept verbatim; its flaws are not ours
  readHeaders(source, inner, ignored);
  return {std::move(inner.subject), std::move(inner.from), std::move(inner.message_id), inner.date};
}

}  // namespace hd::mime
