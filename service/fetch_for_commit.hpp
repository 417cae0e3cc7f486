#pragma once
// What a batch's fetch gives the commit: the messages fit to store, and the ones too large to
// fetch, decided from their listed size before any fetch (or from the bytes the server actually
// sent, which the source drained), each with its header block and size for a quarantine entry
// that leaves it on the server. A message that came back broken (an empty body although listed
// with bytes: BODY[] {0}, an empty RETR) is in neither: like a message the server did not return,
// it is retried next pass, never quarantined and acknowledged (in delete mode that would delete
// the only copy). Channel failures throw as MailSource documents.

#include <string>
#include <vector>

#include "connectors/source/mail_source.hpp"
#include "service/mailbox_pass.hpp"

namespace hd::service {

struct FetchedForCommit {
  std::size_t fetched = 0;                             // answers the server sent
  std::vector<source::FetchedMessage> usable;          // to parse and store
  std::vector<source::FetchedMessage> left_on_server;  // header in `raw`, size in `ref.size`
};

FetchedForCommit fetchForCommit(source::MailSource& source,
                                const std::vector<source::MessageRef>& refs,
                                const PassLimits& limits, const std::string& mailbox);

}  // namespace hd::service
