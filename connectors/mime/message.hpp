#pragma once
// The parsed form of one mail, as the domain sees it. Produced by hd::mime::parse(); holds decoded
// text (UTF-8) and typed header fields, never the GMime objects.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/spill/bytes.hpp"

namespace hd::mime {

struct Address {
  std::string name;     // decoded display name, UTF-8; may be empty
  std::string address;  // addr-spec as written, e.g. "jane@example.com"; lowercase NOT applied
};

// Summary of an attached message (message/rfc822), e.g. a forwarded mail.
struct ForwardedMessage {
  std::string subject;  // decoded
  std::optional<Address> from;
  std::string message_id;  // without angle brackets
  std::optional<std::chrono::system_clock::time_point> date;
};

// Where a base64 attachment's encoded text lies in the message's raw bytes: decoding bytes
// [offset, offset + length) of the raw message with Base64Decoder gives its content exactly, so
// the store can keep the raw bytes alone instead of a second, decoded copy.
struct Base64InRaw {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Attachment {
  std::string filename;      // decoded; may be empty
  std::string content_type;  // "type/subtype", lowercase
  std::string content_id;    // without angle brackets; empty when absent
  bool is_inline = false;    // part of a multipart/related body or Content-Disposition: inline
  // Decoded bytes (transfer encoding removed); a spill file when large. Empty when the content is
  // a span of the raw message (base64_in_raw) and the parse was told not to keep such contents
  // (Limits::keep_span_content): `size` and `sha256_hex` still describe it.
  spill::Bytes content;
  std::uint64_t size = 0;  // of the decoded content, kept or not
  std::string sha256_hex;  // of the decoded content, lowercase hex
  std::optional<ForwardedMessage>
      forwarded;  // set for message/rfc822 (the whole mail is `content`)
  // Set when `content` is the base64 decoding of a span of the raw message (most attachments);
  // unset for any other encoding, and for a content GMime did not read straight from the raw
  // bytes.
  std::optional<Base64InRaw> base64_in_raw;
};

// Header fields that matter for loop protection (RFC 3834) and bounces; empty when absent.
struct AutomationHeaders {
  std::string auto_submitted;              // Auto-Submitted
  std::string precedence;                  // Precedence
  std::string x_auto_response_suppress;    // X-Auto-Response-Suppress
  std::string x_autoreply;                 // X-Autoreply
  std::string x_autorespond;               // X-Autorespond
  std::string list_id;                     // List-Id
  std::optional<std::string> return_path;  // Return-Path: present-but-empty ("<>") is ""
  std::string content_type;                // top-level "type/subtype", e.g. "multipart/report"
  std::string report_type;                 // report-type parameter of multipart/report
};

struct Message {
  std::string subject;  // full decoded Subject, UTF-8
  std::optional<Address> from;
  std::optional<Address> sender;
  std::vector<Address> to, cc, reply_to;
  std::string message_id;               // without angle brackets; empty when absent
  std::string in_reply_to;              // first msg-id of In-Reply-To, without brackets
  std::vector<std::string> references;  // msg-ids, oldest first, without brackets
  std::optional<std::chrono::system_clock::time_point> date;
  // The first inline text/plain part (plus later inline text/plain parts outside an alternative,
  // e.g. list footers), else the HTML converted to text, else a multipart preamble; "\n" line ends.
  std::string text_body;
  std::string text_body_new;  // text_body without quoted history (see quoted_history.hpp)
  std::string html_body;      // the text/html alternative, if any (UTF-8)
  std::vector<Attachment> attachments;
  AutomationHeaders automation;
};

}  // namespace hd::mime
