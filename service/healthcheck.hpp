#pragma once
// `helpdesk-ingest --healthcheck [URL]`, the probe of the image's HEALTHCHECK: GET a URL and exit
// 0 when it answers 200. Without a URL it checks /healthz at the configuration's http.listen, so
// the probe follows whatever port the service was configured with (not only 8080).

#include <ostream>
#include <string>

namespace hd::service {

// Where the image (Dockerfile, compose, Kubernetes) mounts the configuration.
inline constexpr const char* kDefaultConfigPath = "/etc/helpdesk-ingest/config.json";

// The /healthz URL of a service listening on HOST:PORT (http.listen after parsing). A wildcard
// host (0.0.0.0, ::) is reached over loopback; an IPv6 literal gets its brackets back.
std::string healthzUrl(const std::string& listen_host, int port);

// The URL to probe: `url` when given, else healthzUrl() of the http.listen in the configuration
// at `config_path`. Throws ConfigError when the file is missing or invalid, or its port is 0 (a
// free port picked at start cannot be known from outside).
std::string healthcheckUrl(const std::string& url, const std::string& config_path);

// GETs `url` (5 s timeout). Returns 0 on 200, else 1 with the reason written to `err`.
int probeHealth(const std::string& url, std::ostream& err);

}  // namespace hd::service
