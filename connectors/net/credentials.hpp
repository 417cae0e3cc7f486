#pragma once
// How a mail client signs in. The secret is fetched through a callback at sign-in time so that
// OAuth2 access tokens can be refreshed between sessions (and never sit in a config struct).

#include <functional>
#include <string>

#include "connectors/net/errors.hpp"

namespace hd::net {

struct Credentials {
  enum class Method {
    kPassword,  // IMAP: AUTHENTICATE PLAIN when offered, else LOGIN; POP3: AUTH PLAIN, else
                // USER/PASS
    kXoauth2,   // SASL XOAUTH2 with a bearer token
  };
  Method method = Method::kPassword;
  std::string username;
  std::function<std::string()> secret;  // the password, or a fresh access token
  // Called when the server refused the secret (an AuthError from sign-in), so a cached OAuth2
  // access token is dropped and the next sign-in asks for a new one. Optional.
  std::function<void()> on_refused;
};

// Runs `sign_in`; when it throws AuthError, tells `credentials.on_refused` before rethrowing.
template <typename SignIn>
void signInReportingRefusal(const Credentials& credentials, SignIn&& sign_in) {
  try {
    sign_in();
  } catch (const AuthError&) {
    if (credentials.on_refused) credentials.on_refused();
    throw;
  }
}

}  // namespace hd::net
