#include "service/config_sections.hpp"

namespace hd::service::config_detail {

LogConfig parseLog(ObjectReader in) {
  LogConfig log;
  log.level = choose<std::string>("log.level", in.string("level", log.level),
                                  {{"debug", "debug"},
                                   {"information", "information"},
                                   {"info", "information"},
                                   {"warning", "warning"},
                                   {"error", "error"}});
  log.format = choose<std::string>("log.format", in.string("format", log.format),
                                   {{"text", "text"}, {"json", "json"}});
  in.rejectUnknownKeys();
  return log;
}

}  // namespace hd::service::config_detail
