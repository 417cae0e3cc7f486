#pragma once
// GMime's parser warnings as hd::mime::Warning values. Internal to connectors/mime (it includes
// GMime): only parse.cpp and the unit tests use it.

#include <cstddef>
#include <vector>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/warning.hpp"

namespace hd::mime {

// Our kind for one of GMime's codes; kOtherParserIssue for a code newer than GMime 3.2.
WarningKind kindOf(GMimeParserWarning code);

// The state g_mime_parser_options_set_warning_callback() passes to onParserWarning().
struct ParserReport {
  std::vector<Warning>* warnings;
  std::size_t max_warnings;  // a hostile header block yields one warning per line: stop early
  gint64 origin = 0;         // the stream's offset of the message's first byte
  bool nesting_overflow = false;
};

// GMimeParserWarningFunc: appends the warning (the quoted input on one line, at most 80 bytes)
// to report->warnings while fewer than max_warnings + 1 are held; notes a nesting overflow.
void onParserWarning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer report);

}  // namespace hd::mime
