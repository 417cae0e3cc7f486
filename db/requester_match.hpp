#pragma once
// Which new tickets a rate-limit count (ThreadLookup::newTicketsInLastHour) may include, for the
// lookups that answer it from memory and must know when the batch's own tickets change it.

#include <string>
#include <vector>

#include "connectors/mime/message.hpp"

namespace hd::db {

// What a new ticket opened for `mail` counts against: its From and its Sender (the ticket's
// requester is the first of them there is; both count, to be safe), validated and ASCII-folded;
// one empty entry when it has neither.
std::vector<std::string> requesterKeys(const mime::Message& mail);

// Whether a count for `address` may include a ticket opened for one of `requesters`
// (requesterKeys). PostgreSQL's lower() folds more than ASCII: anything non-ASCII may match.
bool mayCountAny(const std::vector<std::string>& requesters, const std::string& address);

}  // namespace hd::db
