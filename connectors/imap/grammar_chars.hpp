#pragma once
// Character classes of the IMAP grammar (RFC 3501 section 9), shared by the response parser and
// the client.

#include <string>

namespace hd::imap {

// ASCII upper case (IMAP keywords, atoms and capability names are ASCII).
std::string upperAscii(std::string text);

bool isDigit(char c);

// RFC 3501 ATOM-CHAR: any CHAR except atom-specials. '%', '*' (list-wildcards) and '\' are
// accepted too: flags ("\Seen", "\*") and mailbox names use them. ']' only when allow_bracket.
bool isAtomChar(char c, bool allow_bracket);

// A byte as an error message names it: CR, LF, 'x', or byte 0x1f.
std::string describeByte(char c);

}  // namespace hd::imap
