// The response level: what kind of response comes next, and the untagged data other than
// FETCH. The token level is in response_parser_tokens.cpp, FETCH in response_parser_fetch.cpp.
#include "connectors/imap/response_parser.hpp"

#include "connectors/imap/grammar_chars.hpp"
#include "connectors/imap/response_code.hpp"

namespace hd::imap {

ResponseParser::ResponseParser(net::BufferedReader& reader, const ImapLimits& limits,
                               spill::SpillPolicy spill)
    : reader_(reader), limits_(limits), spill_(std::move(spill)) {}

Response ResponseParser::next() {
  line_bytes_ = 0;
  tokens_ = 0;
  Response response;
  const char first = peek();
  if (first == '+') {
    // Continuation request (RFC 3501 section 7.5). "+" without a space is tolerated.
    get();
    if (peek() == ' ') get();
    response.kind = Response::Kind::kContinuation;
    response.type = Response::Type::kContinuation;
    response.text = restOfLine();
    return response;
  }
  if (first == '*') {
    get();
    space("after '*'");
    response.kind = Response::Kind::kUntagged;
    untagged(response);
    return response;
  }
  if (first == '[') {
    // Workaround: Exchange Online sends a bare "[COPYUID 55 31 6]" line, without "* OK", in
    // UID MOVE replies (outlook.md; MailKit issue 1446). Read it as an untagged OK.
    response.kind = Response::Kind::kUntagged;
    response.type = Response::Type::kStatus;
    response.status = Status::kOk;
    statusText(response);
    return response;
  }

  response.kind = Response::Kind::kTagged;
  response.type = Response::Type::kStatus;
  std::string tag;
  while (isAtomChar(peek(), true) && peek() != '+') tag.push_back(get());
  if (tag.empty())
    fail("expected '*', '+' or a tag at the start of a response, got " + describeByte(peek()));
  response.tag = std::move(tag);
  space("after the tag");
  const std::string status = upperAscii(atom("as tagged status", false));
  if (status == "OK") {
    response.status = Status::kOk;
  } else if (status == "NO") {
    response.status = Status::kNo;
  } else if (status == "BAD") {
    response.status = Status::kBad;
  } else {
    fail("tagged response with status '" + status + "' (expected OK, NO or BAD)");
  }
  statusText(response);
  return response;
}

void ResponseParser::statusText(Response& response) {
  if (peek() == ' ') get();
  // resp-text: the code is parsed from the whole line, so a '[' later in the text (Exchange's
  // greeting ends in "[base64 blob]") is never taken for a code.
  RespText parsed = parseRespText(restOfLine());
  response.code = std::move(parsed.code);
  response.text = std::move(parsed.text);
}

void ResponseParser::untagged(Response& response) {
  if (isDigit(peek())) {
    response.number = number("as message count or number");
    space("after a message number");
    const std::string keyword = upperAscii(atom("after a message number", false));
    if (keyword == "EXISTS") {
      response.type = Response::Type::kExists;
    } else if (keyword == "RECENT") {
      response.type = Response::Type::kRecent;
    } else if (keyword == "EXPUNGE") {
      response.type = Response::Type::kExpunge;
    } else if (keyword == "FETCH") {
      response.type = Response::Type::kFetch;
      space("after FETCH");
      fetchItems(response);
      lineEnd("after FETCH data");
      return;
    } else {
      response.type = Response::Type::kOther;
      response.text = keyword;
    }
    skipRestOfResponse();
    return;
  }

  const std::string keyword = upperAscii(atom("as untagged keyword", false));
  static const std::pair<const char*, Status> kStatuses[] = {{"OK", Status::kOk},
                                                             {"NO", Status::kNo},
                                                             {"BAD", Status::kBad},
                                                             {"BYE", Status::kBye},
                                                             {"PREAUTH", Status::kPreauth}};
  for (const auto& [name, status] : kStatuses) {
    if (keyword == name) {
      response.type = Response::Type::kStatus;
      response.status = status;
      statusText(response);
      return;
    }
  }
  if (keyword == "CAPABILITY") {
    response.type = Response::Type::kCapability;
    while (!atLineEnd()) {
      space("between capabilities");
      if (atLineEnd()) break;
      response.atoms.push_back(atom("as capability", true));
    }
    lineEnd("after CAPABILITY");
  } else if (keyword == "FLAGS") {
    response.type = Response::Type::kFlags;
    space("after FLAGS");
    response.atoms = flagList("as FLAGS list");
    lineEnd("after FLAGS");
  } else if (keyword == "SEARCH") {
    response.type = Response::Type::kSearch;
    searchNumbers(response);
  } else if (keyword == "LIST" || keyword == "LSUB") {
    response.type = Response::Type::kList;
    space("after LIST");
    listData(response);
  } else {
    response.type = Response::Type::kOther;
    response.text = keyword;
    skipRestOfResponse();
  }
}

void ResponseParser::searchNumbers(Response& response) {
  while (!atLineEnd()) {
    space("between SEARCH results");
    if (atLineEnd()) break;
    if (peek() == '(') {
      skipValue(0);  // RFC 7162 "(MODSEQ n)" at the end
      continue;
    }
    response.numbers.push_back(number("in SEARCH results"));
    // A SEARCH line may hold many thousands of UIDs; max_tokens bounds it instead.
    line_bytes_ = 0;
  }
  lineEnd("after SEARCH");
}

void ResponseParser::listData(Response& response) {
  response.list.attributes = flagList("as LIST attributes");
  space("after LIST attributes");
  if (std::optional<std::string> delimiter = nstring("as LIST delimiter")) {
    response.list.delimiter = std::move(*delimiter);
  }
  space("after LIST delimiter");
  response.list.mailbox = astring("as LIST mailbox");
  // RFC 5258 extended data may follow; it is not needed.
  skipRestOfResponse();
}

}  // namespace hd::imap
