#include <nlohmann/json.hpp>

#include "connectors/net/redact.hpp"
#include "db/connection_string.hpp"
#include "service/config_sections.hpp"

namespace hd::service::config_detail {

std::string parseDatabase(ObjectReader in) {
  auto url = in.secret("url");
  if (!url || url->empty()) throw ConfigError("database.url", "is required");
  net::rememberSecret(net::uriPassword(*url));
  // A URI or key=value string is checked now: libpq would otherwise quote it, password and
  // all, into every connection error. (Test configs use placeholders such as "x".)
  const bool checkable =
      url->find("://") != std::string::npos || url->find('=') != std::string::npos;
  if (auto problem = checkable ? db::connectionStringProblem(*url) : std::nullopt) {
    throw ConfigError("database.url", "is not a valid PostgreSQL connection string: " +
                                          net::redactSecrets(*problem));
  }
  in.rejectUnknownKeys();
  return *url;
}

}  // namespace hd::service::config_detail
