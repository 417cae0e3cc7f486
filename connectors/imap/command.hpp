#pragma once
// One client command as it goes on the wire: text, and literals for strings that cannot be sent
// as atoms or quoted strings (RFC 3501 section 4.3). The tag is added by ImapClient.

#include <string>
#include <string_view>
#include <vector>

namespace hd::imap {

class Command {
 public:
  struct Part {
    std::string data;
    bool literal = false;
  };

  explicit Command(std::string_view text) { this->text(text); }

  // Appends `text` verbatim.
  Command& text(std::string_view text);
  // Appends a space and `value` as an astring: atom when it can be, else a quoted string, else
  // (CR, LF, NUL or 8-bit bytes) a literal.
  Command& astring(std::string_view value);
  // Appends a space and a mailbox name (modified UTF-7, then astring).
  Command& mailbox(std::string_view utf8_name);

  const std::vector<Part>& parts() const { return parts_; }
  // The command name ("LOGIN", "UID FETCH"...), for messages.
  std::string name() const;
  // The command for the protocol trace: literals replaced by "{n}", secrets redacted.
  std::string trace() const;

 private:
  std::vector<Part> parts_;
};

}  // namespace hd::imap
