#include "service/ingest/outcome.hpp"

namespace hd::ingest {

std::string toString(Classification c) {
  switch (c) {
    case Classification::kCustomer:
      return "customer";
    case Classification::kAutoReply:
      return "auto_reply";
    case Classification::kBounce:
      return "bounce";
    case Classification::kRateLimited:
      return "rate_limited";
    case Classification::kOwnMail:
      return "own_mail";
    case Classification::kBulk:
      return "bulk";
  }
  return "customer";
}

}  // namespace hd::ingest
