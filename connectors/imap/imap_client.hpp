#pragma once
// An IMAP4rev1 client session over a ByteStream (RFC 3501, with UIDPLUS RFC 4315, MOVE RFC 6851,
// SASL-IR RFC 4959, LITERAL+ RFC 7888). One command at a time; tags never repeat in a session
// (A0001, A0002, ...). Untagged responses are accepted at any time and update the session state
// (capabilities, BYE).
//
// Errors:
//  - net::NetworkError: the stream failed or closed (the text of a preceding BYE is included);
//    net::ThrottledError when Exchange says "Request is throttled".
//  - net::TlsError: STARTTLS not offered or refused, or the handshake failed.
//  - net::ProtocolError: the server broke the grammar or a limit; the session is unusable.
//  - net::AuthError: sign-in refused (retryable() as documented on each method).
//  - net::CommandError: NO/BAD to a command; the session stays usable.
// Not thread-safe: one session, one thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/imap/command.hpp"
#include "connectors/imap/limits.hpp"
#include "connectors/imap/response.hpp"
#include "connectors/imap/response_parser.hpp"
#include "connectors/net/buffered_reader.hpp"
#include "connectors/net/byte_stream.hpp"
#include "connectors/net/credentials.hpp"
#include "connectors/net/sasl.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::imap {

struct SelectResult {
  std::uint64_t uidvalidity = 0;
  std::uint64_t uidnext = 0;  // 0 when the server did not say
  std::uint64_t exists = 0;
};

class ImapClient {
 public:
  // A FETCH body over `spill`'s threshold is read into a spill file (FetchData::body).
  explicit ImapClient(net::ByteStream& stream, const ImapLimits& limits = {},
                      const spill::SpillPolicy& spill = {});

  // Reads the server greeting. Returns true when the server pre-authenticated the session
  // (PREAUTH). A BYE greeting throws NetworkError.
  bool readGreeting();

  // Capabilities as last announced (upper-cased), from the greeting, a CAPABILITY response or a
  // [CAPABILITY] code.
  const std::set<std::string>& capabilities() const { return capabilities_; }
  bool hasCapability(std::string_view name) const;
  // Sends CAPABILITY.
  void refreshCapabilities();

  // STARTTLS, then the TLS handshake, then CAPABILITY again (RFC 3501 section 6.2.1). Throws
  // TlsError when the server does not advertise STARTTLS: never continue in clear text.
  void startTls();

  // Signs in with `credentials`: XOAUTH2, AUTHENTICATE PLAIN when advertised, else LOGIN. Asks
  // for capabilities again afterwards unless the server sent them (Exchange reveals MOVE only
  // after sign-in). AuthError(retryable=false) on NO; retryable=true on NO [UNAVAILABLE].
  // Exchange's "User is authenticated but not connected." (to the sign-in, or to any later
  // command of the session) throws net::MailboxAccessError naming the causes.
  void signIn(const net::Credentials& credentials);
  void login(const std::string& user, const std::string& password);
  // SASL with SASL-IR when advertised, else after the "+" continuation. When the server answers
  // the response with a challenge (XOAUTH2 error JSON, base64), the client replies with an empty
  // line and puts the decoded challenge into the AuthError.
  void authenticate(const net::SaslCredentials& sasl);

  SelectResult select(std::string_view mailbox);

  // UID SEARCH <criteria>; UIDs in server order.
  std::vector<std::uint64_t> uidSearch(std::string_view criteria);

  // UID FETCH <uid_set> <items>; `on_message` gets each FETCH response that carries a UID
  // (unsolicited flag updates without UID are dropped).
  void uidFetch(std::string_view uid_set, std::string_view items,
                const std::function<void(FetchData&&)>& on_message);

  // UID STORE <uid_set> <action> (e.g. "+FLAGS.SILENT (\Seen)").
  void uidStore(std::string_view uid_set, std::string_view action);
  // UID MOVE (requires MOVE) / UID COPY. CommandError on NO; MissingMailboxError when the server
  // says [TRYCREATE] (RFC 3501 7.1: the target does not exist and may be created).
  void uidMove(std::string_view uid_set, std::string_view mailbox);
  void uidCopy(std::string_view uid_set, std::string_view mailbox);
  // CREATE <mailbox>. CommandError on NO/BAD.
  void create(std::string_view mailbox);
  // UID EXPUNGE (requires UIDPLUS) / EXPUNGE (every \Deleted message of the folder).
  void uidExpunge(std::string_view uid_set);
  void expunge();

  // RFC 2177 IDLE (requires the IDLE capability, else CommandError): waits until the server
  // sends EXISTS (new mail), `max_wait` passes, or `interrupted()` returns true (asked at least
  // every `check_every`), then sends DONE and reads the tagged reply. An EXISTS that arrived
  // between the command and its continuation counts too. NO/BAD throw CommandError; a BYE or a
  // closed stream throws NetworkError. The session stays usable after a normal return.
  enum class IdleOutcome { kNewMail, kTimeout, kInterrupted };
  IdleOutcome idle(std::chrono::milliseconds max_wait, const std::function<bool()>& interrupted,
                   std::chrono::milliseconds check_every = std::chrono::seconds(1));

  // How many untagged EXISTS the server has sent in this session (SELECT's included): a caller
  // compares two readings to learn whether new mail was announced in between.
  std::uint64_t existsNotices() const { return exists_notices_; }

  // Sends LOGOUT without waiting for the reply (Dovecot 2.3.19 over TLS was seen dropping it;
  // a silent server would otherwise hold us for the whole read timeout). Never throws.
  void logout() noexcept;

 private:
  using UntaggedHandler = std::function<void(Response&)>;

  std::string nextTag();
  void send(const std::string& tag, const Command& command);
  Response readResponse();
  void handleUntagged(Response& response, const UntaggedHandler& handler);
  Response waitForContinuation(const std::string& tag, const UntaggedHandler& handler);
  // Sends the command and reads until its tagged reply, which is returned whatever its status.
  Response run(const Command& command, const UntaggedHandler& handler = {});
  // As run(), but NO/BAD throw CommandError (or ThrottledError).
  Response runOk(const Command& command, const UntaggedHandler& handler = {});
  [[noreturn]] void throwRefusal(const std::string& command, const Response& reply);
  [[noreturn]] void throwAuthFailure(const Response& reply, const std::string& detail);
  void afterSignIn(const Response& reply);
  void setCapabilities(const std::vector<std::string>& names);

  net::ByteStream& stream_;
  ImapLimits limits_;
  net::BufferedReader reader_;
  ResponseParser parser_;
  std::set<std::string> capabilities_;
  bool capabilities_updated_ = false;
  bool exchange_ = false;  // greeting named Microsoft Exchange
  std::string user_;       // who signs in (for error messages)
  bool signed_in_ = false;
  std::string bye_text_;
  std::uint64_t tag_counter_ = 0;
  std::uint64_t exists_notices_ = 0;
};

}  // namespace hd::imap
