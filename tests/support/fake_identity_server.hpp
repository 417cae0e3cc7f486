#pragma once
// A stand-in for the Microsoft identity platform on 127.0.0.1 (plain http, which the token client
// allows only for loopback): /{tenant}/oauth2/v2.0/devicecode, /{tenant}/oauth2/v2.0/token
// (device_code with an id_token naming the signed-in account, refresh_token with rotation,
// client_credentials) and /introspect, the RFC 7662
// endpoint Dovecot's oauth2 passdb asks ({"active": true, "username": ...} for tokens it issued).
// Thread-safe; the server stops in the destructor.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace hd::test {

// A valid "secrets": {"key": ...} for test configurations (base64 of 32 bytes).
inline constexpr char kTestSecretKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

// $HD_TEST_OAUTH_PORT from deploy/local.sh: the port Dovecot's oauth2 passdb introspects, where
// a test must run its FakeIdentityServer. 0 when unset, and then TestEnv::get() has failed the
// test naming the variable.
std::uint16_t introspectionPort();

class FakeIdentityServer {
 public:
  // port 0 picks a free port. `username` is what introspection reports for issued tokens.
  explicit FakeIdentityServer(std::string username, std::uint16_t port = 0);
  ~FakeIdentityServer();

  std::uint16_t port() const;
  std::string authority() const;  // "http://127.0.0.1:<port>"

  // Lifetime (expires_in) of access tokens issued from now on.
  void setAccessTokenLifetime(int seconds);
  // Device-code polls answered authorization_pending before the sign-in "happens".
  void setPendingPolls(int polls);
  // The account that "approves" device codes from now on: the id_token's preferred_username and
  // email claims (both the introspection username by default).
  void setSignedInAccount(std::string preferred_username, std::string email);
  // The user introspection names for tokens issued from now on (default: the constructor's);
  // Dovecot refuses a token naming another user than the one signing in.
  void setTokenUsername(std::string username);
  // Every refresh token becomes invalid (password change, revoked consent): invalid_grant.
  void revokeRefreshTokens();
  // Issued access tokens stop being active for introspection.
  void revokeAccessTokens();

  int refreshCount() const;
  std::string currentRefreshToken() const;

  // Used by the request handler.
  struct Reply {
    int status = 200;
    std::string body;
  };
  Reply handle(const std::string& path, const std::map<std::string, std::string>& form);

 private:
  std::string issueTokens(bool with_refresh, bool with_id_token = false);

  mutable std::mutex mutex_;
  std::string username_;
  std::string token_username_;
  std::string signed_in_preferred_username_;
  std::string signed_in_email_;
  int lifetime_seconds_ = 3599;
  int pending_polls_ = 1;
  int refresh_count_ = 0;
  int serial_ = 0;
  std::string refresh_token_;  // the only valid one (rotation invalidates the previous)
  std::map<std::string, std::string> access_tokens_;  // issued token -> user it names
  // Its own pool, declared before the server so that it outlives it: the destructor joins the
  // threads that ran handlers (which use *this), where Poco's default pool would keep them
  // running past this object and into the static destructors at exit.
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace hd::test
