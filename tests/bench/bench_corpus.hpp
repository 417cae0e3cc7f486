#pragma once
// The benchmark's mailbox (issue 10): deterministic, so every run and every machine measures the
// same bytes. Mix by message number: 60% short text, 25% text + HTML, 10% with a ~100 KB
// attachment, 5% with a 1-2 MB attachment (sizes are message sizes on the wire). Every fifth
// message answers an earlier one (In-Reply-To), so threading lookups are part of the work.
// Attachment contents are pseudo-random: like PDFs and images, they do not compress.

#include <cstddef>
#include <string>

namespace hd::bench {

enum class MailShape { kShortText, kTextAndHtml, kAttachment100K, kAttachmentLarge };

MailShape shapeOf(int i);

// Message number `i` of the corpus, LF line endings (Maildir convention).
std::string benchMessage(int i);

// A message of about `message_bytes` (LF): a short text part and one base64 attachment of
// pseudo-random bytes (seeded by `i`), as the corpus's attachment shapes; also the big mail of
// big_mail_bench.
std::string messageWithAttachment(int i, std::size_t message_bytes);

}  // namespace hd::bench
