#pragma once
// Reading the free text of a server's reply: case-insensitive matching, Exchange's throttling
// notice, and the short form of a reply that error messages quote.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/imap/grammar_chars.hpp"
#include "connectors/imap/response.hpp"

namespace hd::imap {

bool containsIgnoringCase(std::string_view text, std::string_view needle);

// Exchange Online: "BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds",
// then it disconnects (outlook.md). The backoff it asks for (60 s when it names none), or
// nullopt when the text is no throttling notice.
std::optional<std::chrono::milliseconds> throttleBackoff(std::string_view text);

// "NO [CODE] text", as error messages quote a reply.
std::string describeReply(const Response& reply);

}  // namespace hd::imap
