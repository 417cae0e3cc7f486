#pragma once
// What a POP3 server said it supports (RFC 2449 CAPA), detected once per state and kept as a
// value. Servers that predate CAPA answer -ERR: `known` is then false and every optional
// extension is assumed absent.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hd::pop3 {

struct Capabilities {
  bool known = false;          // the server answered CAPA with +OK
  bool top = false;            // RFC 2449 §6.1
  bool user = false;           // RFC 2449 §6.2: USER/PASS allowed
  bool uidl = false;           // RFC 2449 §6.4
  bool pipelining = false;     // RFC 2449 §6.6
  bool stls = false;           // RFC 2595 §4
  std::set<std::string> sasl;  // RFC 2449 §6.3, upper-cased mechanism names
  std::string implementation;  // RFC 2449 §6.9, for logs only

  bool hasSasl(std::string_view mechanism) const;

  // Parses the lines of a CAPA listing. Unknown capabilities are ignored.
  static Capabilities parse(const std::vector<std::string>& lines);
};

}  // namespace hd::pop3
