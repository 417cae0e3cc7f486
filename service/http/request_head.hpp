#pragma once
// Judges the bytes a client has sent so far on a new HTTP/1.x connection, before any thread is
// given to it (see request_gate.hpp): is the request complete (head and its Content-Length body),
// still incomplete, or to be refused with a JSON error. Pure function over bytes: no sockets.
//
// Refused (status): a head larger than max_head_bytes (431); a request line that is not
// "METHOD SP target SP HTTP/1.x" (400; another HTTP version: 505); a header line without a
// name and colon, with white space before the colon or folded (obs-fold) (400); more than
// max_header_fields fields (400); any Transfer-Encoding (501: we read bodies by Content-Length
// only, so a body framed otherwise could never be told apart from a next request); a
// Content-Length that is not digits or given twice (400); a body larger than max_body_bytes (413).

#include <cstddef>
#include <string>
#include <string_view>

namespace hd::service::http {

struct HeadLimits {
  std::size_t max_head_bytes = 16 * 1024;
  std::size_t max_header_fields = 64;
  std::size_t max_body_bytes = 64 * 1024;
};

struct HeadVerdict {
  enum class Kind { kIncomplete, kComplete, kRefused };
  Kind kind = Kind::kIncomplete;
  // kComplete: bytes of the request (head + body); kIncomplete: bytes the request needs at least
  // (more than what was given).
  std::size_t request_bytes = 0;
  // kComplete: a bodiless GET/HEAD of /healthz, /readyz, /metrics or /status, served by the probe
  // threads.
  bool probe = false;
  // kRefused: the answer.
  int status = 0;
  std::string error;
};

HeadVerdict inspectRequestHead(std::string_view received, const HeadLimits& limits);

}  // namespace hd::service::http
