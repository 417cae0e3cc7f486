#pragma once
// Walks a parsed GMime tree and sorts its leaves into body text and attachments. Internal to
// connectors/mime.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/limits.hpp"
#include "connectors/mime/message.hpp"
#include "connectors/mime/part_content.hpp"
#include "connectors/mime/warning.hpp"

namespace hd::mime {

// Rules (what counts as body, what as attachment):
// - the first text/plain and the first text/html leaf that are neither attachments (filename,
//   Content-Disposition: attachment) nor secondary parts of a multipart/related make the body;
//   later inline text/plain parts outside a multipart/alternative are appended to the text;
// - every other leaf is an attachment; secondary parts of multipart/related are inline;
// - message/rfc822 (and message/global, message/news) is one attachment holding the whole mail,
//   named after its subject when it has no filename, not descended into;
// - multipart/report needs no special case: its text is the body, the delivery-status and the
//   returned message are attachments.
class PartWalker {
 public:
  // `source`: the stream the message was parsed from (see RawSource).
  PartWalker(const Limits& limits, const RawSource& source, Message& message,
             std::vector<Warning>& warnings);

  // False when the part count or nesting depth limit is exceeded; see error().
  bool walk(GMimeObject* root);
  const std::string& error() const { return error_; }

  // Set after walk(): the body text came from a text/plain part (else from HTML or nowhere).
  bool hasPlainText() const { return has_plain_; }

 private:
  bool visit(GMimeObject* object, std::size_t depth, bool related_secondary, bool in_alternative);
  bool visitMultipart(GMimeMultipart* multipart, std::size_t depth, bool related_secondary,
                      bool in_alternative);
  void visitLeaf(GMimePart* part, bool related_secondary, bool in_alternative);
  void visitMessage(GMimeObject* object, GMimeMessage* inner, bool related_secondary);
  // The part's text, reading at most `left` decoded bytes and taking them off `left`; past it the
  // text is cut with a warning (nullopt when nothing of it is left).
  std::optional<std::string> bodyText(GMimePart* part, bool html, std::size_t& left);
  void addAttachment(GMimeObject* object, PartContent content, std::string filename,
                     bool related_secondary);
  // The spill policy for the next attachment: the threshold bounds the decoded contents the
  // message keeps in memory together, so many attachments just under it go to spill files too.
  spill::SpillPolicy attachmentPolicy() const;

  const Limits& limits_;
  RawSource source_;
  Message& message_;
  std::vector<Warning>& warnings_;
  std::string error_;
  std::size_t parts_ = 0;
  bool has_plain_ = false;
  bool has_html_ = false;
  std::size_t text_left_;  // of limits_.max_body_bytes, for the text/plain parts together
  std::uint64_t attachments_in_memory_ = 0;
};

}  // namespace hd::mime
