#pragma once
// What happens to a message on the server once its rows are committed ("after_ingest" in config).

#include <string>

namespace hd::source {

struct AfterIngest {
  enum class Action {
    kSeen,    // IMAP: UID STORE +FLAGS (\Seen)
    kMove,    // IMAP: UID MOVE (or COPY + \Deleted + expunge) to `folder`
    kDelete,  // IMAP: \Deleted + UID EXPUNGE (or EXPUNGE); POP3: DELE, applied at QUIT
    kKeep,    // leave the message alone; the checkpoint (IMAP) / stored UIDLs (POP3) decide
  };
  Action action = Action::kSeen;
  std::string folder;  // for kMove
};

}  // namespace hd::source
