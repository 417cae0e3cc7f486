#include "db/connection_string.hpp"

#include <libpq-fe.h>

namespace hd::db {

std::optional<std::string> connectionStringProblem(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options) PQconninfoFree(options);
  if (!options && !error) return "libpq could not parse it (out of memory)";
  if (!error) return std::nullopt;
  std::string message(error);
  PQfreemem(error);
  // libpq ends its messages with ': "<the text it could not parse>"' (the whole URI or the bad
  // token, password included): keep only the description.
  if (auto quote = message.find(": \""); quote != std::string::npos) message.resize(quote);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // Other messages quote a word of the input elsewhere ('missing "=" after "..."'): keep only
  // quoted single characters, which are libpq's own ('"]"').
  std::string kept;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const auto close = message[i] == '"' ? message.find('"', i + 1) : std::string::npos;
    if (close == std::string::npos) {
      kept += message[i];
      continue;
    }
    kept += close - i <= 2 ? message.substr(i, close - i + 1) : "\"...\"";
    i = close;
  }
  return kept;
}

}  // namespace hd::db
