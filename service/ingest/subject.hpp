#pragma once

#include <string>
#include <string_view>

namespace hd::ingest {

// The ticket subject: the mail's subject without reply/forward prefixes ("Re:", "RE:", "Fwd:",
// "FW:", "AW:", "WG:", "SV:", "VS:", "Antw:", "Re[2]:"), repeated ones included, trimmed.
// An empty result becomes "(no subject)".
std::string ticketSubject(std::string_view subject);

}  // namespace hd::ingest
