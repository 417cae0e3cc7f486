#pragma once
// Separating the new text of a reply from the quoted history below it. Heuristic by nature:
// it recognises the shapes Outlook, Gmail, Apple Mail and Thunderbird write. Thread-safe.

#include <string>
#include <string_view>

namespace hd::mime {

// The reply text without quoted history: everything from the first history marker on is removed
// (Outlook's "From: ... Sent: ..." header block, optionally under a "____" rule;
// "-----Original Message-----"; "On ... wrote:" possibly wrapped over two lines, and the German
// and French forms of these), as are lines quoted with '>'. Line endings become "\n"; trailing
// blank lines go. The result may be empty when the whole text is quoted history.
std::string stripQuotedHistory(std::string_view text);

// The same for an HTML body, returned as text (see htmlToText): Outlook's
// <div id="divRplyFwdMsg"> / <div id="appendonsend">, Gmail's <div class="gmail_quote">,
// Thunderbird's "moz-cite-prefix", Yahoo's "yahoo_quoted" and everything after them are removed,
// then stripQuotedHistory() runs on the text (for Outlook desktop's header block and <blockquote>).
std::string stripQuotedHistoryHtml(std::string_view html);

}  // namespace hd::mime
