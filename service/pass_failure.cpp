#include "service/pass_failure.hpp"

#include "connectors/net/errors.hpp"
#include "db/errors.hpp"
#include "service/mailbox_binding.hpp"

namespace hd::service {

std::string toString(FailureClass kind) {
  switch (kind) {
    case FailureClass::kAuthentication:
      return "authentication";
    case FailureClass::kTls:
      return "TLS";
    case FailureClass::kThrottled:
      return "throttled by the server";
    case FailureClass::kNetwork:
      return "network";
    case FailureClass::kProtocol:
      return "protocol";
    case FailureClass::kCommandRefused:
      return "server refused a command";
    case FailureClass::kConfiguration:
      return "configuration";
    case FailureClass::kDatabase:
      return "database";
    case FailureClass::kUnexpected:
      break;
  }
  return "unexpected";
}

PassFailure classifyPassFailure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const net::MailboxAccessError& e) {
    return {FailureClass::kAuthentication, e.what(), true, std::chrono::milliseconds(0), true};
  } catch (const net::AuthError& e) {
    return {FailureClass::kAuthentication, e.what(), !e.retryable()};
  } catch (const net::TlsError& e) {
    return {FailureClass::kTls, e.what()};
  } catch (const net::ThrottledError& e) {
    // Workaround: Exchange disconnects a throttled session and names the wait (outlook.md).
    return {FailureClass::kThrottled, e.what(), false, e.suggestedBackoff()};
  } catch (const net::NetworkError& e) {
    return {FailureClass::kNetwork, e.what()};
  } catch (const net::ProtocolError& e) {
    return {FailureClass::kProtocol, e.what()};
  } catch (const net::CommandError& e) {
    return {FailureClass::kCommandRefused, e.what()};
  } catch (const MailboxIdentityError& e) {
    return {FailureClass::kConfiguration, e.what()};
  } catch (const db::DatabaseError& e) {
    return {FailureClass::kDatabase, e.what()};
  } catch (const std::exception& e) {
    return {FailureClass::kUnexpected, e.what()};
  } catch (...) {
    return {FailureClass::kUnexpected, "unknown exception"};
  }
}

}  // namespace hd::service
