#include <tuple>

#include "service/config_sections.hpp"

namespace hd::service::config_detail {
namespace {

std::pair<std::string, int> parseListen(const std::string& key, const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) throw ConfigError(key, "must look like HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw ConfigError(key, "port must be a number");
  }
  if (port < 0 || port > 65535) throw ConfigError(key, "port must be between 0 and 65535");
  return {host, port};
}

}  // namespace

void parseHttp(ObjectReader in, Config& config) {
  if (auto listen = in.string("listen")) {
    std::tie(config.http_host, config.http_port) = parseListen("http.listen", *listen);
  }
  config.api_token = in.secret("api_token").value_or("");
  config.api_read_token = in.secret("api_read_token").value_or("");
  if (!config.api_read_token.empty() && config.api_read_token == config.api_token)
    throw ConfigError(in.key("api_read_token"), "must differ from api_token");
  config.protect_status = in.boolean("protect_status").value_or(false);
  config.protect_metrics = in.boolean("protect_metrics").value_or(false);
  auto& edge = config.http_edge;
  edge.threads = static_cast<int>(in.integer("threads", 2, 256).value_or(edge.threads));
  edge.max_long_polls = static_cast<int>(
      in.integer("max_long_polls", 0, edge.threads - 1).value_or(edge.threads / 2));
  edge.request_timeout = std::chrono::seconds(
      in.integer("request_timeout_seconds", 1, 300).value_or(edge.request_timeout.count()));
  edge.max_pending_connections = static_cast<std::size_t>(
      in.integer("max_pending_connections", 16, 10000)
          .value_or(static_cast<std::int64_t>(edge.max_pending_connections)));
  in.rejectUnknownKeys();
}

}  // namespace hd::service::config_detail
