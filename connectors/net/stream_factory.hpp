#pragma once
// How a protocol source opens its connection. Production passes nothing and gets a
// TlsSocketStream; tests inject scripted streams.

#include <functional>
#include <memory>

#include "connectors/net/byte_stream.hpp"
#include "connectors/net/tls_options.hpp"

namespace hd::net {

using StreamFactory = std::function<std::unique_ptr<ByteStream>(const Endpoint&)>;

}  // namespace hd::net
