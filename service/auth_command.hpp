#pragma once
// `helpdesk-ingest auth login|status`: signs a mailbox in with the OAuth2 device-code flow and
// stores its tokens, or shows what is stored. Output for the operator goes to `out`, problems to
// `err`; never prints a token.

#include <iosfwd>
#include <string>
#include <vector>

#include "service/config.hpp"

namespace hd::service {

// `args` are the positional arguments after "auth" ("login" or "status"); `mailbox` is --mailbox
// (may be empty for status, or for login when exactly one mailbox uses xoauth2).
// Returns an exit code: 0 done, 1 sign-in failed or database unreachable, 2 usage/config error.
int runAuthCommand(const Config& config, const std::vector<std::string>& args,
                   const std::string& mailbox, std::ostream& out, std::ostream& err);

}  // namespace hd::service
