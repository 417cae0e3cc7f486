#include "connectors/imap/response_trace.hpp"

namespace hd::imap {

std::string traceOf(const Response& r) {
  switch (r.type) {
    case Response::Type::kContinuation:
      return "+ " + r.text;
    case Response::Type::kStatus: {
      std::string line = r.kind == Response::Kind::kTagged ? r.tag : "*";
      line += std::string(" ") + toString(r.status);
      if (r.code) {
        line +=
            " [" + r.code->name + (r.code->arguments.empty() ? "" : " " + r.code->arguments) + "]";
      }
      return line + " " + r.text;
    }
    case Response::Type::kFetch: {
      std::string line = "* " + std::to_string(r.number) + " FETCH (";
      if (r.fetch.uid) line += "UID " + std::to_string(*r.fetch.uid) + " ";
      if (r.fetch.rfc822_size) line += "RFC822.SIZE " + std::to_string(*r.fetch.rfc822_size) + " ";
      if (r.fetch.flags) line += "FLAGS (" + std::to_string(r.fetch.flags->size()) + ") ";
      if (r.fetch.body) line += "BODY[] {" + std::to_string(r.fetch.body->size()) + "}";
      return line + ")";
    }
    case Response::Type::kSearch:
      return "* SEARCH (" + std::to_string(r.numbers.size()) + " results)";
    case Response::Type::kCapability: {
      std::string line = "* CAPABILITY";
      for (const std::string& atom : r.atoms) line += " " + atom;
      return line;
    }
    case Response::Type::kExists:
      return "* " + std::to_string(r.number) + " EXISTS";
    case Response::Type::kRecent:
      return "* " + std::to_string(r.number) + " RECENT";
    case Response::Type::kExpunge:
      return "* " + std::to_string(r.number) + " EXPUNGE";
    case Response::Type::kFlags:
      return "* FLAGS (...)";
    case Response::Type::kList:
      return "* LIST " + r.list.mailbox;
    case Response::Type::kOther:
      break;
  }
  return "* " + r.text + " ...";
}

}  // namespace hd::imap
