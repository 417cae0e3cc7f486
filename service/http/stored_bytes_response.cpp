#include "service/http/stored_bytes_response.hpp"

#include <ostream>
#include <stdexcept>

namespace hd::service::http {
namespace {

void setDownloadHead(Poco::Net::HTTPServerResponse& response, const std::string& content_type,
                     const std::string& disposition, std::uint64_t size) {
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(content_type);
  response.set("Content-Disposition", disposition);
  response.set("X-Content-Type-Options", "nosniff");
  // Mail content is hostile: a browser that renders it anyway must not run scripts.
  response.set("Content-Security-Policy", "sandbox; default-src 'none'");
  response.set("Cache-Control", "no-store");
  response.setContentLength64(static_cast<Poco::UInt64>(size));
}

}  // namespace

void sendStoredBytes(ReaderPool& pool, Poco::Net::HTTPServerResponse& response,
                     const std::string& content_type, const std::string& disposition,
                     const db::StoredBytes& stored) {
  setDownloadHead(response, content_type, disposition, stored.size());
  if (stored.inline_bytes) {
    response.send().write(stored.inline_bytes->data(),
                          static_cast<std::streamsize>(stored.inline_bytes->size()));
    return;
  }
  response.setKeepAlive(false);  // a body cut short must end its connection
  std::ostream& body = response.send();
  for (std::int32_t seq = 0; seq < stored.chunks.count; ++seq) {
    std::optional<std::string> chunk;
    {
      auto db = pool.acquire();
      chunk = db->tickets.chunk(stored, seq);
    }
    if (!chunk) throw std::runtime_error("the content was deleted during its download");
    body.write(chunk->data(), static_cast<std::streamsize>(chunk->size()));
    if (!body) return;  // the client went away (or stopped reading past the write timeout)
  }
  body.flush();
}

}  // namespace hd::service::http
