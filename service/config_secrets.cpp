#include "service/config_sections.hpp"

namespace hd::service::config_detail {

void parseSecrets(ObjectReader in, Config& config) {
  config.secret_key = in.secret("key").value_or("");
  config.secret_key_origin = in.has("key_file") ? "secrets.key_file" : "secrets.key";
  in.rejectUnknownKeys();
}

}  // namespace hd::service::config_detail
