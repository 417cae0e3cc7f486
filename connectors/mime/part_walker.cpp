#include "connectors/mime/part_walker.hpp"

#include <algorithm>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/ascii.hpp"
#include "connectors/mime/bidi_controls.hpp"
#include "connectors/mime/charset.hpp"
#include "connectors/mime/flowed_text.hpp"
#include "connectors/mime/header_params.hpp"
#include "connectors/mime/headers.hpp"
#include "connectors/mime/part_content.hpp"
#include "connectors/mime/rfc2047.hpp"

namespace hd::mime {
namespace {

bool equalsNoCase(const char* a, std::string_view b) {
  return a != nullptr && equalsIgnoreCase(a, b);
}

// A filename parameter of one header. Workaround for GMime 3.2.13 (see rfc2047.hpp): Outlook
// writes non-ASCII names as RFC 2047 words inside a quoted value (name="=?utf-8?B?...?="), which
// GMime decodes with its buggy decoder, so such plain values are decoded here. RFC 2231 forms
// (filename*0*=) are left to GMime, which decodes them correctly.
std::optional<std::string> filenameParameter(GMimeObject* object, const char* header,
                                             const char* parameter, const char* gmime_value,
                                             std::vector<Warning>& warnings) {
  const RawHeader raw = rawHeader(object, header);
  if (!raw.present) return std::nullopt;
  if (!hasExtendedParameter(raw.value, parameter)) {
    const std::optional<std::string> plain = rawParameter(raw.value, parameter);
    if (plain && plain->find("=?") != std::string::npos) {
      return decodeHeaderText(*plain, warnings, "filename");
    }
  }
  if (gmime_value != nullptr && *gmime_value != '\0') return std::string(gmime_value);
  return std::nullopt;
}

std::string filenameOf(GMimeObject* object, std::vector<Warning>& warnings) {
  const char* disposition_name = nullptr;
  if (GMimeContentDisposition* d = g_mime_object_get_content_disposition(object); d != nullptr) {
    disposition_name = g_mime_content_disposition_get_parameter(d, "filename");
  }
  if (auto name = filenameParameter(object, "Content-Disposition", "filename", disposition_name,
                                    warnings)) {
    return *name;
  }
  const char* type_name = g_mime_object_get_content_type_parameter(object, "name");
  return filenameParameter(object, "Content-Type", "name", type_name, warnings).value_or("");
}

// "Re: invoice 4/2024" -> "Re_ invoice 4_2024.eml": safe on every file system.
std::string filenameFromSubject(std::string subject) {
  for (char& c : subject) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos) c = '_';
  }
  if (subject.empty()) subject = "message";
  return subject + ".eml";
}

std::string toLf(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  return text;
}

// <meta charset="x"> or <meta http-equiv=Content-Type content="text/html; charset=x"> in the
// first bytes, for HTML parts whose MIME header names no charset.
std::string sniffHtmlCharset(std::string_view html) {
  const std::string head = asciiLower(html.substr(0, 4096));
  const std::size_t meta = head.find("<meta");
  if (meta == std::string::npos) return {};
  const std::size_t at = head.find("charset=", meta);
  if (at == std::string::npos) return {};
  std::size_t begin = at + 8;
  while (begin < head.size() && (head[begin] == '"' || head[begin] == '\'')) ++begin;
  const std::size_t end = head.find_first_of("\"'; />", begin);
  return head.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// A body cut at the limit ends after its last whole line when one ends near the cut, so no
// character or line is split there (the cut may fall inside a multibyte sequence).
void cutAfterLastLine(std::string& bytes) {
  constexpr std::size_t kNear = 64 * 1024;
  const std::size_t lf = bytes.rfind('\n');
  if (lf != std::string::npos && bytes.size() - lf <= kNear) bytes.resize(lf + 1);
}

}  // namespace

PartWalker::PartWalker(const Limits& limits, const RawSource& source, Message& message,
                       std::vector<Warning>& warnings)
    : limits_(limits),
      source_(source),
      message_(message),
      warnings_(warnings),
      text_left_(limits.max_body_bytes) {}

bool PartWalker::walk(GMimeObject* root) {
  return visit(root, 1, false, false);
}

bool PartWalker::visit(GMimeObject* object, std::size_t depth, bool related_secondary,
                       bool in_alternative) {
  if (++parts_ > limits_.max_parts) {
    error_ = "more than " + std::to_string(limits_.max_parts) + " MIME parts";
    return false;
  }
  if (depth > limits_.max_depth) {
    error_ = "MIME nesting deeper than " + std::to_string(limits_.max_depth);
    return false;
  }
  if (GMIME_IS_MULTIPART(object)) {
    return visitMultipart(GMIME_MULTIPART(object), depth, related_secondary, in_alternative);
  }
  if (GMIME_IS_MESSAGE_PART(object)) {
    visitMessage(object, g_mime_message_part_get_message(GMIME_MESSAGE_PART(object)),
                 related_secondary);
  } else if (GMIME_IS_PART(object)) {
    visitLeaf(GMIME_PART(object), related_secondary, in_alternative);
  } else {
    // message/partial: keep its bytes, there is nothing to reassemble it with.
    addAttachment(object, serializedContent(object, attachmentPolicy()),
                  filenameOf(object, warnings_), related_secondary);
  }
  return true;
}

bool PartWalker::visitMultipart(GMimeMultipart* multipart, std::size_t depth,
                                bool related_secondary, bool in_alternative) {
  GMimeObject* object = GMIME_OBJECT(multipart);
  const int count = g_mime_multipart_get_count(multipart);
  if (count == 0) {
    warnings_.push_back({.kind = WarningKind::kMultipartWithoutParts, .where = mimeType(object)});
    return true;
  }
  GMimeContentType* type = g_mime_object_get_content_type(object);
  const char* subtype = type != nullptr ? g_mime_content_type_get_media_subtype(type) : nullptr;
  const bool alternative = equalsNoCase(subtype, "alternative");
  int root = -1;
  if (equalsNoCase(subtype, "related")) {
    // RFC 2387 3.2: the root is the part named by "start", else the first one. MHTML writers
    // (RFC 2557, e.g. Outlook's "Save as") put images first and name only the root's type.
    root = 0;
    if (const char* root_type = g_mime_object_get_content_type_parameter(object, "type")) {
      for (int i = count - 1; i >= 0; --i) {
        if (mimeType(g_mime_multipart_get_part(multipart, i)) == asciiLower(root_type)) root = i;
      }
    }
    if (const char* start = g_mime_object_get_content_type_parameter(object, "start")) {
      std::string wanted(start);
      wanted.erase(std::remove_if(wanted.begin(), wanted.end(),
                                  [](char c) { return c == '<' || c == '>' || c == ' '; }),
                   wanted.end());
      for (int i = 0; i < count; ++i) {
        const char* id = g_mime_object_get_content_id(g_mime_multipart_get_part(multipart, i));
        if (id != nullptr && wanted == id) root = i;
      }
    }
  }
  // The body parts come first, so visit the root of a multipart/related before its images.
  if (root >= 0 && !visit(g_mime_multipart_get_part(multipart, root), depth + 1, related_secondary,
                          in_alternative)) {
    return false;
  }
  for (int i = 0; i < count; ++i) {
    if (i == root) continue;
    const bool secondary = related_secondary || root >= 0;
    if (!visit(g_mime_multipart_get_part(multipart, i), depth + 1, secondary,
               alternative || in_alternative)) {
      return false;
    }
  }
  return true;
}

void PartWalker::visitLeaf(GMimePart* part, bool related_secondary, bool in_alternative) {
  GMimeObject* object = GMIME_OBJECT(part);
  const std::string type = mimeType(object);
  std::string filename = filenameOf(object, warnings_);
  const char* disposition = g_mime_object_get_disposition(object);
  const bool body_candidate = !related_secondary && filename.empty() &&
                              !equalsNoCase(disposition, "attachment") &&
                              (type == "text/plain" || type == "text/html");
  if (body_candidate && type == "text/plain") {
    if (!has_plain_) {
      message_.text_body = bodyText(part, false, text_left_).value_or("");
      has_plain_ = true;
      return;
    }
    if (!in_alternative) {
      // A second inline text part (e.g. a mailing-list footer) is shown after the first by mail
      // readers, so it belongs to the text.
      if (auto more = bodyText(part, false, text_left_)) message_.text_body += "\n\n" + *more;
      return;
    }
  }
  if (body_candidate && type == "text/html" && !has_html_) {
    std::size_t html_left = limits_.max_body_bytes;
    message_.html_body = bodyText(part, true, html_left).value_or("");
    has_html_ = true;
    return;
  }
  const bool keep_span = !limits_.keep_span_content || limits_.keep_span_content(type);
  addAttachment(object, decodedContent(part, attachmentPolicy(), source_, keep_span),
                std::move(filename), related_secondary);
}

void PartWalker::visitMessage(GMimeObject* object, GMimeMessage* inner, bool related_secondary) {
  std::string filename = filenameOf(object, warnings_);
  std::optional<ForwardedMessage> forwarded;
  if (inner != nullptr) {
    forwarded = readForwarded(inner);
    if (filename.empty()) filename = filenameFromSubject(forwarded->subject);
  } else if (filename.empty()) {
    filename = filenameFromSubject("");
  }
  addAttachment(object,
                inner != nullptr
                    ? serializedContent(GMIME_OBJECT(inner), attachmentPolicy())
                    : PartContent{spill::Bytes(), crypto::sha256Hex(""), std::nullopt, 0},
                std::move(filename), related_secondary);
  message_.attachments.back().forwarded = std::move(forwarded);
}

std::optional<std::string> PartWalker::bodyText(GMimePart* part, bool html, std::size_t& left) {
  GMimeObject* object = GMIME_OBJECT(part);
  const char* where = html ? "text/html body" : "text/plain body";
  ContentHead head = decodedHead(part, left);
  if (head.cut) {
    warnings_.push_back(
        {.kind = WarningKind::kBodyTruncated, .where = where, .count = limits_.max_body_bytes});
    left = 0;
    if (head.bytes.empty()) return std::nullopt;
    cutAfterLastLine(head.bytes);
  } else {
    left -= head.bytes.size();
  }
  const std::string bytes = std::move(head.bytes);
  const char* declared = g_mime_object_get_content_type_parameter(object, "charset");
  // GMime drops the parameters of a type it could not read ("text; charset=x", see mimeType()).
  std::string charset =
      declared != nullptr
          ? declared
          : rawParameter(rawHeader(object, "Content-Type").value, "charset").value_or("");
  if (html && charset.empty() && !isAscii(bytes)) charset = sniffHtmlCharset(bytes);
  std::string text = toUtf8(bytes, charset, warnings_, where);
  if (html) return text;
  text = toLf(std::move(text));
  if (equalsNoCase(g_mime_object_get_content_type_parameter(object, "format"), "flowed")) {
    text = unflowText(
        text, equalsNoCase(g_mime_object_get_content_type_parameter(object, "delsp"), "yes"));
  }
  return text;
}

spill::SpillPolicy PartWalker::attachmentPolicy() const {
  spill::SpillPolicy policy = limits_.spill;
  policy.threshold_bytes -= std::min(policy.threshold_bytes, attachments_in_memory_);
  return policy;
}

void PartWalker::addAttachment(GMimeObject* object, PartContent content, std::string filename,
                               bool related_secondary) {
  if (content.bytes.inMemory()) attachments_in_memory_ += content.bytes.size();
  Attachment attachment;
  // Bidi controls would let "gpj.exe" read as "exe.jpg" wherever the name is shown.
  attachment.filename = withoutBidiControls(filename);
  attachment.content_type = mimeType(object);
  if (const char* id = g_mime_object_get_content_id(object)) attachment.content_id = id;
  attachment.is_inline =
      related_secondary || equalsNoCase(g_mime_object_get_disposition(object), "inline");
  attachment.size = content.size;
  attachment.sha256_hex = std::move(content.sha256_hex);
  attachment.base64_in_raw = content.base64_in_raw;
  attachment.content = std::move(content.bytes);
  message_.attachments.push_back(std::move(attachment));
}

}  // namespace hd::mime
