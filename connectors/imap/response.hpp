#pragma once
// One server response, as decoded by ResponseParser (RFC 3501 section 7; RFC 9051 where they
// agree). Only what the client uses is decoded into fields; other untagged data is consumed and
// reported as Type::kOther with its keyword, so a server may send anything at any time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/spill/bytes.hpp"

namespace hd::imap {

enum class Status { kNone, kOk, kNo, kBad, kBye, kPreauth };

// resp-text-code (RFC 3501 section 7.1, RFC 4315 UIDPLUS, RFC 5530). Unknown codes keep their
// name and raw arguments.
struct ResponseCode {
  std::string name;          // upper-cased: "UIDVALIDITY", "TRYCREATE", "AUTHENTICATIONFAILED"...
  std::string arguments;     // raw text between the name and ']' ("" when none)
  std::uint64_t number = 0;  // UIDVALIDITY, UIDNEXT, UNSEEN; the UIDVALIDITY of COPYUID/APPENDUID
  std::vector<std::string> atoms;  // CAPABILITY names; PERMANENTFLAGS flags
  std::string source_uids;         // COPYUID: the copied UIDs as a set ("31" or "1:3,5")
  std::string destination_uids;    // COPYUID: their new UIDs; APPENDUID: the appended UID(s)
};

// The parts of `* n FETCH (...)` the client asks for; other items are skipped.
struct FetchData {
  std::optional<std::uint64_t> uid;
  std::optional<std::uint64_t> rfc822_size;
  std::optional<std::vector<std::string>> flags;
  // BODY[] (the answer to BODY.PEEK[]), RFC822 or BINARY[]: the exact bytes, read from the
  // literal in pieces into memory or, over the spill threshold, a spill file. Empty optional when
  // absent or NIL.
  std::optional<spill::Bytes> body;
  // Not 0 when the BODY[] literal was larger than ImapLimits::max_message_size: its bytes were
  // read and dropped (`body` stays empty) and this is their count.
  std::uint64_t body_over_limit = 0;
  // BODY[HEADER] (the answer to BODY.PEEK[HEADER], also partial: BODY[HEADER]<0>), at most
  // ImapLimits::max_header_size bytes of it (the rest is read and dropped).
  std::optional<std::string> header;
};

struct ListData {
  std::vector<std::string> attributes;
  std::string delimiter;  // "" when NIL
  std::string mailbox;    // as sent (modified UTF-7 is not decoded)
};

struct Response {
  enum class Kind { kTagged, kUntagged, kContinuation };
  enum class Type {
    kStatus,      // OK/NO/BAD/BYE/PREAUTH (tagged or untagged)
    kCapability,  // * CAPABILITY ...
    kExists,      // * n EXISTS
    kRecent,      // * n RECENT
    kExpunge,     // * n EXPUNGE
    kFlags,       // * FLAGS (...)
    kSearch,      // * SEARCH n n n
    kFetch,       // * n FETCH (...)
    kList,        // * LIST / * LSUB
    kContinuation,
    kOther,  // anything else; `text` holds its keyword
  };

  Kind kind = Kind::kUntagged;
  Type type = Type::kOther;
  std::string tag;                     // kTagged only
  Status status = Status::kNone;       // kStatus only
  std::optional<ResponseCode> code;    // kStatus only
  std::string text;                    // human-readable text; continuation data; kOther keyword
  std::uint64_t number = 0;            // EXISTS/RECENT/EXPUNGE count, FETCH sequence number
  std::vector<std::string> atoms;      // CAPABILITY names, FLAGS flags
  std::vector<std::uint64_t> numbers;  // SEARCH results
  FetchData fetch;
  ListData list;
};

const char* toString(Status status);

}  // namespace hd::imap
