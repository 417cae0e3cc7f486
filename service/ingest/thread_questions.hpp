#pragma once
// The questions decide() may put to a ThreadLookup about one mail, known before it runs: a store
// can then answer a whole batch's questions with one statement per kind instead of one round trip
// per question (db/batch_thread_lookup.hpp). A superset: decide() asks some of them, never
// others (tested in ThreadQuestions.*); a question outside them is still answered, only slower.

#include <string>
#include <vector>

#include "connectors/mime/message.hpp"
#include "service/ingest/policy.hpp"

namespace hd::ingest {

struct ThreadQuestions {
  std::vector<std::string> message_ids;  // asked together in one findByMessageIds()
  std::vector<std::string> references;   // each may be asked in findByReference()
  std::vector<std::string> senders;      // each may be asked in newTicketsInLastHour()
};

ThreadQuestions threadQuestions(const mime::Message& message, const Policy& policy);

}  // namespace hd::ingest
