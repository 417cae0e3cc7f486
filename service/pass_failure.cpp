#include "service/pass_failure.hpp"

#include "connectors/net/errors.hpp"
#include "db/errors.hpp"
#include "service/mailbox_binding.hpp"

namespace hd::service {

PassFailure classifyPassFailure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const net::MailboxAccessError& e) {
    return {"authentication", e.what(), true, std::chrono::milliseconds(0), true};
  } catch (const net::AuthError& e) {
    return {"authentication", e.what(), !e.retryable()};
  } catch (const net::TlsError& e) {
    return {"TLS", e.what()};
  } catch (const net::ThrottledError& e) {
    // Workaround: Exchange disconnects a throttled session and names the wait (outlook.md).
    return {"throttled by the server", e.what(), false, e.suggestedBackoff()};
  } catch (const net::NetworkError& e) {
    return {"network", e.what()};
  } catch (const net::ProtocolError& e) {
    return {"protocol", e.what()};
  } catch (const net::CommandError& e) {
    return {"server refused a command", e.what()};
  } catch (const MailboxIdentityError& e) {
    return {"configuration", e.what()};
  } catch (const db::DatabaseError& e) {
    return {"database", e.what()};
  } catch (const std::exception& e) {
    return {"unexpected", e.what()};
  } catch (...) {
    return {"unexpected", "unknown exception"};
  }
}

}  // namespace hd::service
