#include "tests/support/sample_mail.hpp"

#include <Poco/Base64Encoder.h>

#include <cstdint>
#include <sstream>

namespace hd::test {
namespace {

constexpr std::size_t kSmallAttachment = 2048;
constexpr int kBase64LineChars = 76;  // RFC 2045 section 6.8

// Deterministic filler (xorshift) so attachments do not compress to nothing.
std::string fillerBytes(std::size_t size, std::uint64_t seed) {
  std::string bytes(size, '\0');
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (char& b : bytes) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    b = static_cast<char>(state & 0xFF);
  }
  return bytes;
}

std::string headers(int i, const std::string& content_type) {
  const int minute = i % 60, hour = (i / 60) % 24, day = 1 + (i / 1440) % 28;
  auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return "From: Customer " + std::to_string(i % 50) + " <customer" + std::to_string(i % 50) +
         "@example.com>\n"
         "To: support@hd.test\n"
         "Subject: Sample " +
         std::to_string(i) +
         "\n"
         "Date: " +
         std::to_string(day) + " Mar 2024 " + two(hour) + ":" + two(minute) +
         ":00 +0000\n"
         "Message-ID: <sample-" +
         std::to_string(i) +
         "@load.hd.test>\n"
         "MIME-Version: 1.0\n"
         "Content-Type: " +
         content_type + "\n";
}

std::string textBody(int i) {
  return "Hello,\n\nthis is generated sample message " + std::to_string(i) +
         ". My order has not arrived yet.\n\nRegards,\nCustomer " + std::to_string(i % 50) + "\n";
}

}  // namespace

// Poco's encoder ends lines with CRLF; sample mail uses LF throughout (Maildir convention).
std::string base64Lines(const std::string& in) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(kBase64LineChars);
  encoder << in;
  encoder.close();
  std::string lines;
  for (char c : out.str()) {
    if (c != '\r') lines += c;
  }
  return lines + "\n";
}

std::string makeSampleMessage(int i, std::size_t attachment_bytes) {
  const int shape = attachment_bytes > 0 ? 2 : ((i % 3) + 3) % 3;
  if (shape == 0) {
    return headers(i, "text/plain; charset=utf-8") + "Content-Transfer-Encoding: 8bit\n\n" +
           textBody(i);
  }
  if (shape == 1) {
    return headers(i, "text/html; charset=utf-8") + "Content-Transfer-Encoding: 8bit\n\n" +
           "<html><body><p>Hello,</p><p>this is generated <b>HTML</b> sample message " +
           std::to_string(i) + ".</p></body></html>\n";
  }
  const std::string boundary = "=_sample_" + std::to_string(i);
  const std::size_t size = attachment_bytes > 0 ? attachment_bytes : kSmallAttachment;
  return headers(i, "multipart/mixed; boundary=\"" + boundary + "\"") + "\n" +
         "This is a multi-part message in MIME format.\n\n"
         "--" +
         boundary +
         "\n"
         "Content-Type: text/plain; charset=utf-8\n\n" +
         textBody(i) +
         "\n"
         "--" +
         boundary +
         "\n"
         "Content-Type: application/octet-stream\n"
         "Content-Disposition: attachment; filename=\"sample-" +
         std::to_string(i) +
         ".bin\"\n"
         "Content-Transfer-Encoding: base64\n\n" +
         base64Lines(fillerBytes(size, static_cast<std::uint64_t>(i))) + "--" + boundary + "--\n";
}

}  // namespace hd::test
