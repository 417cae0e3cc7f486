#include "service/ingest/bounce.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "service/ingest/address.hpp"

namespace hd::ingest {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowercase(std::string_view s) {
  std::string result(s);
  for (char& c : result) c = lower(c);
  return result;
}

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}

// How much of a spilled returned message is scanned: its header block is at the start.
constexpr std::size_t kMaxReturnedHeaderBytes = 1024 * 1024;

// Subjects of the delivery-failure notices that arrive without a multipart/report, in the
// languages of our customers' Outlook/Exchange ("Unzustellbar:", "Non remis :").
constexpr std::array<std::string_view, 12> kBounceSubjects = {
    "undeliverable",        "undelivered mail",    "delivery status notification",
    "delivery failure",     "failure notice",      "returned mail",
    "mail delivery failed", "delivery has failed", "could not be delivered",
    "unzustellbar",         "nicht zustellbar",    "non remis"};

bool hasBounceSubject(const std::string& subject) {
  const std::string s = lowercase(subject);
  return std::any_of(kBounceSubjects.begin(), kBounceSubjects.end(),
                     [&](std::string_view marker) { return s.find(marker) != std::string::npos; });
}

enum class Field { kNone, kMessageId, kInReplyTo, kReferences };

Field fieldNamed(std::string_view name) {
  const std::string n = lowercase(name);
  if (n == "message-id") return Field::kMessageId;
  if (n == "in-reply-to") return Field::kInReplyTo;
  if (n == "references") return Field::kReferences;
  return Field::kNone;
}

// The msg-ids of one header value: every "<...>" (RFC 5322 section 3.6.4), or the bare value
// when it has no brackets but looks like an id (some MTAs write "Message-ID: abc@host").
std::vector<std::string> idsIn(std::string_view value) {
  std::vector<std::string> ids;
  std::size_t open = value.find('<');
  if (open == std::string_view::npos) {
    while (!value.empty() && isBlank(value.front())) value.remove_prefix(1);
    while (!value.empty() && (isBlank(value.back()) || value.back() == '\r'))
      value.remove_suffix(1);
    if (value.find('@') != std::string_view::npos && value.find_first_of(" \t") == value.npos) {
      ids.emplace_back(value);
    }
    return ids;
  }
  while (open != std::string_view::npos) {
    const std::size_t close = value.find('>', open + 1);
    if (close == std::string_view::npos) break;
    std::string_view id = value.substr(open + 1, close - open - 1);
    while (!id.empty() && isBlank(id.front())) id.remove_prefix(1);
    while (!id.empty() && isBlank(id.back())) id.remove_suffix(1);
    if (!id.empty()) ids.emplace_back(id);
    open = value.find('<', close + 1);
  }
  return ids;
}

// Threading fields found in one header block or body, in the order the bounce is searched.
struct ThreadingFields {
  std::vector<std::string> message_ids, in_reply_to, references;

  void add(Field field, std::string_view value) {
    auto ids = idsIn(value);
    auto& target = field == Field::kMessageId   ? message_ids
                   : field == Field::kInReplyTo ? in_reply_to
                                                : references;
    target.insert(target.end(), ids.begin(), ids.end());
  }

  void appendTo(std::vector<std::string>& out) const {
    out.insert(out.end(), message_ids.begin(), message_ids.end());
    out.insert(out.end(), in_reply_to.begin(), in_reply_to.end());
    out.insert(out.end(), references.rbegin(), references.rend());
  }
};

// A header block ends at its first empty line; continuation lines start with white space (RFC
// 5322 section 2.2.3). In a text body the returned headers may be indented or quoted with '>'
// (Exim, qmail, some Exchange NDRs), so a wanted field name starts a field wherever it stands
// and anything else that is not a continuation ends it.
ThreadingFields scanFields(std::string_view text, bool header_block) {
  ThreadingFields fields;
  Field current = Field::kNone;
  std::string value;
  auto flush = [&] {
    if (current != Field::kNone) fields.add(current, value);
    current = Field::kNone;
    value.clear();
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (header_block && line.empty()) break;
    std::string_view stripped = line;
    while (!stripped.empty() && (isBlank(stripped.front()) || stripped.front() == '>')) {
      stripped.remove_prefix(1);
    }
    const std::size_t colon = stripped.find(':');
    std::string_view unquoted = line;
    while (!header_block && !unquoted.empty() && unquoted.front() == '>') unquoted.remove_prefix(1);
    const bool continuation = !unquoted.empty() && isBlank(unquoted.front());
    const Field named = colon == std::string_view::npos || (header_block && continuation)
                            ? Field::kNone
                            : fieldNamed(stripped.substr(0, colon));
    if (named != Field::kNone) {
      flush();
      current = named;
      value = std::string(stripped.substr(colon + 1));
    } else if (continuation && current != Field::kNone) {
      value += ' ';
      value += unquoted;
    } else {
      flush();
    }
  }
  flush();
  return fields;
}

}  // namespace

std::optional<std::string> bounceReason(const mime::Message& message) {
  const mime::AutomationHeaders& h = message.automation;
  if (h.content_type == "multipart/report" && h.report_type == "delivery-status") {
    return "delivery status report (RFC 3464)";
  }
  const std::string sender = senderAddress(message);
  const std::string_view local = localPart(sender);
  if (local == "mailer-daemon") return "sent by " + sender;
  if (hasBounceSubject(message.subject)) {
    if (local == "postmaster") return "delivery failure notice from " + sender;
    if (h.return_path && h.return_path->empty()) {
      return "delivery failure notice with a null Return-Path";
    }
  }
  return std::nullopt;
}

std::vector<std::string> bouncedMessageIds(const mime::Message& message) {
  std::vector<std::string> candidates;
  for (const auto& attachment : message.attachments) {
    if (!carriesReturnedHeaders(attachment.content_type)) continue;
    // A returned message that was spilled is large; its header block is at its start.
    const spill::Bytes& returned = attachment.content;
    scanFields(returned.inMemory() ? returned.memory() : returned.head(kMaxReturnedHeaderBytes),
               true)
        .appendTo(candidates);
    if (attachment.forwarded && !attachment.forwarded->message_id.empty()) {
      candidates.push_back(attachment.forwarded->message_id);
    }
  }
  scanFields(message.text_body, false).appendTo(candidates);

  std::vector<std::string> ids;
  for (auto& id : candidates) {
    if (ids.size() >= kMaxBouncedMessageIds) break;
    if (id == message.message_id || std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    ids.push_back(std::move(id));
  }
  return ids;
}

// Parts that carry the returned mail's header section: RFC 3462 text/rfc822-headers, RFC 6533
// message/global-headers, or the whole returned mail (message/rfc822, message/global).
bool carriesReturnedHeaders(std::string_view content_type) {
  return content_type == "message/rfc822" || content_type == "message/global" ||
         content_type == "text/rfc822-headers" || content_type == "message/global-headers";
}

}  // namespace hd::ingest
