#pragma once
// One POP3 session (RFC 1939) over a ByteStream, with the RFC 2449 (CAPA, PIPELINING),
// RFC 2595 (STLS) and RFC 5034 (AUTH) extensions. Commands only: which ones to send and in which
// order is Pop3Source's business.
//
// Errors: net::NetworkError / net::ProtocolError when the stream broke or the server violated the
// protocol (usable() turns false: send nothing more, not even QUIT); net::TlsError when STLS is
// refused or fails; net::AuthError when sign-in is refused; net::CommandError for an -ERR to a
// command that must succeed; std::system_error when a RETR/TOP body cannot be written to its spill
// file (usable() turns false too). Commands whose -ERR is an expected outcome (RETR, DELE) report
// it as a value instead.
//
// Protocol trace at debug level on logger "hd.pop3"; passwords and SASL responses are masked.
// Not thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "connectors/net/byte_stream.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/sasl.hpp"
#include "connectors/pop3/capabilities.hpp"
#include "connectors/pop3/limits.hpp"
#include "connectors/pop3/response_reader.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::pop3 {

struct UidlEntry {
  std::uint32_t number = 0;
  std::string uidl;
};

struct ListEntry {
  std::uint32_t number = 0;
  std::uint64_t size = 0;
};

// One answer to RETR or TOP.
struct Retrieved {
  bool found = false;      // false: the server answered -ERR
  spill::Bytes bytes;      // the decoded body, at most the cap the caller gave (a spill file
                           // when over the SpillPolicy's threshold)
  std::uint64_t size = 0;  // decoded bytes the server sent, those past the cap included
  bool truncated() const { return size > bytes.size(); }
};

class Pop3Client {
 public:
  // `stream` must outlive the client. RETR and TOP bodies over `spill`'s threshold go to a
  // spill file (Retrieved::bytes).
  Pop3Client(net::ByteStream& stream, const Pop3Limits& limits,
             const spill::SpillPolicy& spill = {});
  Pop3Client(const Pop3Client&) = delete;
  Pop3Client& operator=(const Pop3Client&) = delete;

  // Reads the server greeting. A "-ERR" greeting throws net::NetworkError (server unavailable).
  void readGreeting();

  // Sends CAPA and remembers the answer; an -ERR (pre-RFC 2449 server) yields known == false.
  const Capabilities& capa();
  const Capabilities& capabilities() const { return capabilities_; }

  // STLS, then the TLS handshake. Forgets the capabilities (RFC 2595 §4): call capa() again.
  void stls();

  // RFC 5034 AUTH in the two-step form (AUTH <mech>, "+", base64 response), which XOAUTH2 on
  // Outlook.com requires. net::AuthError on refusal (from Exchange with the Outlook.com hint).
  // `user` names the account in errors. After any sign-in, an -ERR to the first command that
  // means "no access to this mailbox" (Exchange) throws net::MailboxAccessError.
  void authenticate(const net::SaslCredentials& credentials, const std::string& user);

  // RFC 1939 USER/PASS. net::AuthError on refusal.
  void login(const std::string& user, const std::string& password);

  // Unique ids of all messages not marked deleted. net::ProtocolError when the server has no UIDL
  // (without it, deleting a message safely is impossible) or sends a malformed line.
  std::vector<UidlEntry> uidl();

  // Sizes of all messages not marked deleted. net::CommandError on -ERR.
  std::vector<ListEntry> list();

  // RETR for each number, pipelined when the server advertised PIPELINING. At most `max_size`
  // bytes of each message are kept: a larger one is read to its end and dropped (truncated()),
  // so a server whose LIST size understated a message neither costs memory nor ends the
  // session.
  std::vector<Retrieved> retrieve(std::span<const std::uint32_t> numbers, std::uint64_t max_size);

  // TOP n 0 for each number (RFC 1939 section 7: the header block and the blank line after it),
  // pipelined when allowed, keeping at most `max_size` bytes of each. An -ERR (a server without
  // TOP) leaves found false.
  std::vector<Retrieved> headers(std::span<const std::uint32_t> numbers, std::uint64_t max_size);

  // DELE for each number, pipelined when allowed. An element is false when the server answered
  // -ERR. Deletions take effect at QUIT only.
  std::vector<bool> remove(std::span<const std::uint32_t> numbers);

  // RSET (unmark deletions) and NOOP. net::CommandError on -ERR.
  void rset();
  void noop();

  // QUIT: true when the server confirmed with +OK (and so applied the deletions).
  bool quit();

  // False once a failure other than an -ERR reply (CommandError, AuthError) left the stream in an
  // unknown state: NetworkError, ProtocolError, or a body that could not be kept (a spill file
  // the directory refused, std::system_error).
  bool usable() const { return usable_; }

 private:
  template <typename F>
  decltype(auto) guarded(F&& body);

  // Writes one command; the trace goes through net::redactProtocolLine (PASS).
  void send(const std::string& command);
  // Writes a line that is a secret as a whole (a SASL response); traced as "<redacted>".
  void sendSecret(const std::string& line);
  StatusLine status();
  net::AuthError authError(const std::string& step, const StatusLine& status) const;
  void signedIn(const std::string& user);
  void simpleCommand(const std::string& command);

  // Sends `verb n<suffix>` for every number, at most kPipelineWindow in flight when pipelining,
  // and passes each status (index, status) to `on_reply`, which must consume any multi-line body.
  template <typename OnReply>
  void pipeline(const char* verb, std::span<const std::uint32_t> numbers, const std::string& suffix,
                OnReply on_reply);
  // RETR or TOP: each multi-line answer read to its end, at most `max_size` bytes kept.
  std::vector<Retrieved> readBodies(const char* verb, std::span<const std::uint32_t> numbers,
                                    std::uint64_t max_size);

  net::ByteStream& stream_;
  const Pop3Limits limits_;
  const spill::SpillPolicy spill_;
  ResponseReader reader_;  // reads through limits_
  Capabilities capabilities_;
  bool usable_ = true;
  bool exchange_ = false;  // the greeting named Microsoft Exchange
  std::string user_;       // who signed in (for error messages)
  bool first_reply_after_sign_in_ = false;
};

}  // namespace hd::pop3
