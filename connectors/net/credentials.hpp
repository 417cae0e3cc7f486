#pragma once
// How a mail client signs in. The secret is fetched through a callback at sign-in time so that
// OAuth2 access tokens can be refreshed between sessions (and never sit in a config struct).

#include <functional>
#include <string>

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
};

}  // namespace hd::net
