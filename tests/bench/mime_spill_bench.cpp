// Issue 11, big mail: peak memory of parsing a big message from its spill file. Each shape is
// generated straight into a spill file and parsed by hd::mime::parseBytes() in a child process of
// its own, which prints its peak RSS (getrusage ru_maxrss): a 150 MB message must stay far below
// the 64 MB the whole --once may take. Prints figures only.
//
//   mime_spill_bench [MEGABYTES]   (default 150)

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>

#include "connectors/mime/parse.hpp"

namespace {

using hd::spill::BytesBuilder;

constexpr std::size_t kLineBytes = 57;  // 76 base64 characters per line

std::string base64Line(std::uint64_t& state) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string line;
  for (std::size_t i = 0; i < kLineBytes / 3 * 4; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    line.push_back(kAlphabet[state >> 58]);
  }
  return line + "\r\n";
}

// Appends `lines_bytes` of base64 or text lines, a few at a time (never the whole in memory).
void appendLines(BytesBuilder& out, std::uint64_t bytes, bool text) {
  std::uint64_t state = 42;
  std::string block;
  for (std::uint64_t written = 0; written < bytes;) {
    block.clear();
    while (block.size() < 256 * 1024) {
      block += text ? "a line of a very long plain text body, repeated over and over.\r\n"
                    : base64Line(state);
    }
    out.append(block);
    written += block.size();
  }
}

hd::spill::Bytes message(const std::string& shape, std::uint64_t bytes) {
  BytesBuilder out(hd::spill::SpillPolicy{.directory = "/tmp", .threshold_bytes = 0});
  out.append(
      "From: Big Sender <big@example.com>\r\nTo: help@example.com\r\nSubject: " + shape +
      "\r\nMessage-ID: <" + shape +
      "@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease see the "
      "attachment.\r\n--b\r\n");
  if (shape == "attachment") {
    out.append(
        "Content-Type: application/octet-stream; name=big.bin\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n");
    appendLines(out, bytes, false);
  } else if (shape == "attachments") {  // each under the spill threshold, together far over it
    for (std::uint64_t written = 0; written < bytes; written += 4'000'000) {
      if (written > 0) out.append("--b\r\n");
      out.append(
          "Content-Type: application/pdf; name=part.pdf\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\n");
      appendLines(out, 4'000'000, false);
    }
  } else if (shape == "forwarded") {
    out.append(
        "Content-Type: message/rfc822\r\n\r\nFrom: old@example.com\r\nSubject: the original\r\n"
        "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: image/png\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n");
    appendLines(out, bytes, false);
    out.append("--i--\r\n");
  } else {  // a hostile text body: cut at Limits::max_body_bytes
    out.append("Content-Type: text/plain\r\nContent-Disposition: inline\r\n\r\n");
    appendLines(out, bytes, true);
  }
  out.append("--b--\r\n");
  return std::move(out).finish();
}

double peakMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

// In a child, so each figure is that shape's own peak.
void run(const std::string& shape, std::uint64_t megabytes) {
  std::cout.flush();
  const pid_t child = fork();
  if (child == 0) {
    const hd::spill::Bytes raw = message(shape, megabytes * 1000 * 1000);
    hd::mime::Limits limits;
    limits.max_message_bytes = raw.size() + 1;
    const double before = peakMegabytes();
    const auto started = std::chrono::steady_clock::now();
    const hd::mime::ParseResult parsed = hd::mime::parseBytes(raw, limits);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::uint64_t spilled = 0;
    for (const auto& attachment : parsed.message.attachments) {
      if (!attachment.content.inMemory()) spilled += attachment.content.size();
    }
    std::cout << std::fixed << std::setprecision(1) << std::left << std::setw(12) << shape
              << std::right << std::setw(7) << static_cast<double>(raw.size()) / 1e6 << " MB  "
              << (parsed.ok ? "ok " : "NOT PARSED ") << std::setw(7) << seconds << " s  "
              << "peak RSS " << std::setw(6) << peakMegabytes() << " MB (before parsing " << before
              << " MB), text " << parsed.message.text_body.size() / 1024
              << " KiB, spilled attachments " << static_cast<double>(spilled) / 1e6 << " MB\n";
    std::cout.flush();
    _exit(parsed.ok ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t megabytes = argc > 1 ? std::stoull(argv[1]) : 150;
  std::cout << "MIME parse of a spilled message (issue 11: peak RSS far below 64 MB)\n";
  for (const char* shape : {"attachment", "attachments", "forwarded", "text-body"})
    run(shape, megabytes);
  return 0;
}
