#pragma once
// Generated messages for load tests and bulk seeding. Deterministic: the same `i` always gives
// the same bytes, so a test can regenerate what it delivered.

#include <cstddef>
#include <string>

namespace hd::test {

// Message number `i`: Subject "Sample <i>", Message-ID <sample-<i>@load.hd.test> (unique per i),
// From customer<i % 50>@example.com, LF line endings (Maildir convention; Dovecot serves CRLF).
// The body shape rotates with i % 3: plain text, HTML only, text plus a small attachment.
// attachment_bytes > 0 gives every message a base64 attachment of that many (pseudo-random)
// bytes instead, for memory and throughput tests with large messages.
std::string makeSampleMessage(int i, std::size_t attachment_bytes = 0);

// `in` in base64, 76 characters per line (RFC 2045 section 6.8), LF line endings.
std::string base64Lines(const std::string& in);

}  // namespace hd::test
