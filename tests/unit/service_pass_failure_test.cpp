#include <gtest/gtest.h>

#include "connectors/net/errors.hpp"
#include "db/errors.hpp"
#include "service/pass_failure.hpp"

namespace hd::service {
namespace {

using std::chrono::milliseconds;

template <typename E>
PassFailure classifyThrown(const E& error) {
  return classifyPassFailure(std::make_exception_ptr(error));
}

TEST(PassFailure, ExchangeThrottlingCarriesTheServersWait) {
  auto failure = classifyThrown(net::ThrottledError("Request is throttled.", milliseconds(299961)));
  EXPECT_EQ(failure.kind, FailureClass::kThrottled);
  EXPECT_EQ(toString(failure.kind), "throttled by the server");
  EXPECT_EQ(failure.server_backoff, milliseconds(299961));
  EXPECT_FALSE(failure.needs_person);
  // The server's wait wins over a shorter backoff of ours, and ours over a shorter one of theirs.
  EXPECT_EQ(retryDelay(milliseconds(5000), failure), milliseconds(299961));
  EXPECT_EQ(retryDelay(milliseconds(600000), failure), milliseconds(600000));
}

TEST(PassFailure, OtherFailuresUseOurBackoff) {
  auto network = classifyThrown(net::NetworkError("connection reset"));
  EXPECT_EQ(toString(network.kind), "network");
  EXPECT_EQ(network.server_backoff, milliseconds(0));
  EXPECT_EQ(retryDelay(milliseconds(5000), network), milliseconds(5000));
  EXPECT_EQ(toString(classifyThrown(db::DatabaseError("gone")).kind), "database");
  EXPECT_EQ(toString(classifyThrown(net::TlsError("bad certificate")).kind), "TLS");
  EXPECT_EQ(toString(classifyThrown(std::runtime_error("boom")).kind), "unexpected");
}

TEST(PassFailure, RefusedCredentialsNeedAPerson) {
  EXPECT_TRUE(classifyThrown(net::AuthError("bad password", false)).needs_person);
  EXPECT_FALSE(
      classifyThrown(net::AuthError("authenticated but not connected", true)).needs_person);
}

}  // namespace
}  // namespace hd::service
