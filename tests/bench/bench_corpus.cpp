#include "tests/bench/bench_corpus.hpp"

#include <cstdint>

#include "tests/support/sample_mail.hpp"

namespace hd::bench {
namespace {

// splitmix64: a well-spread, deterministic choice per message number.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string randomBytes(std::size_t size, std::uint64_t seed) {
  std::string bytes(size, '\0');
  std::uint64_t state = mix(seed) | 1;
  for (std::size_t i = 0; i < size; i += 8) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    for (std::size_t k = 0; k < 8 && i + k < size; ++k) bytes[i + k] = char(state >> (8 * k));
  }
  return bytes;
}

std::string prose(int i, std::size_t bytes) {
  static const char* kWords[] = {"the",    "invoice", "order",   "account", "cannot",  "login",
                                 "please", "refund",  "shipped", "error",   "printer", "since",
                                 "monday", "update",  "thanks",  "regards", "urgent",  "help"};
  std::string text;
  std::uint64_t state = mix(static_cast<std::uint64_t>(i) * 7 + 3);
  std::size_t line = 0;
  while (text.size() < bytes) {
    state = mix(state);
    const char* word = kWords[state % (sizeof kWords / sizeof *kWords)];
    text += word;
    line += std::string(word).size() + 1;
    if (line > 70) {
      text += '\n';
      line = 0;
    } else {
      text += ' ';
    }
  }
  return text + "\n";
}

std::string headers(int i) {
  std::string h =
      "From: Customer " + std::to_string(i % 400) + " <customer" + std::to_string(i % 400) +
      "@example.com>\nTo: support@hd.test\nSubject: " +
      (i % 5 == 4 ? "Re: Question " + std::to_string(i - 3) : "Question " + std::to_string(i)) +
      "\nDate: " + std::to_string(1 + (i / 1440) % 28) + " Mar 2024 " +
      std::to_string(10 + (i / 60) % 10) + ":" + std::to_string(10 + i % 50) +
      ":00 +0000\nMessage-ID: <bench-" + std::to_string(i) + "@bench.hd.test>\n";
  if (i % 5 == 4) h += "In-Reply-To: <bench-" + std::to_string(i - 3) + "@bench.hd.test>\n";
  return h + "MIME-Version: 1.0\n";
}

}  // namespace

MailShape shapeOf(int i) {
  const auto bucket = mix(static_cast<std::uint64_t>(i)) % 100;
  if (bucket < 60) return MailShape::kShortText;
  if (bucket < 85) return MailShape::kTextAndHtml;
  if (bucket < 95) return MailShape::kAttachment100K;
  return MailShape::kAttachmentLarge;
}

std::string benchMessage(int i) {
  switch (shapeOf(i)) {
    case MailShape::kShortText:
      return headers(i) + "Content-Type: text/plain; charset=utf-8\n\n" + prose(i, 400);
    case MailShape::kTextAndHtml: {
      const std::string boundary = "=_alt_" + std::to_string(i);
      const std::string text = prose(i, 1500);
      return headers(i) + "Content-Type: multipart/alternative; boundary=\"" + boundary +
             "\"\n\n--" + boundary + "\nContent-Type: text/plain; charset=utf-8\n\n" + text +
             "\n--" + boundary + "\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>" +
             text + "</p><table><tr><td>Order</td><td>" + std::to_string(i) +
             "</td></tr></table></body></html>\n--" + boundary + "--\n";
    }
    case MailShape::kAttachment100K:
      return messageWithAttachment(i, 100 * 1024);
    case MailShape::kAttachmentLarge:
      return messageWithAttachment(i, (1024 + mix(i + 1) % 1024) * 1024);
  }
  return {};
}

std::string messageWithAttachment(int i, std::size_t message_bytes) {
  const std::string boundary = "=_bench_" + std::to_string(i);
  // base64 grows by 4/3 plus a newline every 76 characters.
  const std::size_t content = message_bytes * 57 / 78;
  return headers(i) + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n\n--" +
         boundary + "\nContent-Type: text/plain; charset=utf-8\n\n" + prose(i, 600) + "\n--" +
         boundary + "\nContent-Type: application/pdf; name=\"report-" + std::to_string(i) +
         ".pdf\"\nContent-Disposition: attachment; filename=\"report-" + std::to_string(i) +
         ".pdf\"\nContent-Transfer-Encoding: base64\n\n" +
         test::base64Lines(randomBytes(content, i)) + "--" + boundary + "--\n";
}

}  // namespace hd::bench
