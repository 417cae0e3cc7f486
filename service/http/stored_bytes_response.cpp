#include "service/http/stored_bytes_response.hpp"

#include <algorithm>
#include <ostream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/base64_decoder.hpp"

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

// A base64 span of the raw message, read a chunk's worth at a time and decoded as the parser
// decoded it when the message was stored (mime::Base64Decoder), so it is the stored content.
class SpanDecoder {
 public:
  SpanDecoder(ReaderPool& pool, const db::Base64Span& span)
      : pool_(pool),
        span_(span),
        out_(mime::Base64Decoder::maxDecodedSize(std::min(span.length, kPieceBytes))) {}

  bool done() const { return read_ == span_.length || decoder_.ended(); }

  // The next piece's decoded bytes (valid until the next call).
  std::string_view next() {
    const std::uint64_t length = std::min(kPieceBytes, span_.length - read_);
    std::optional<std::string> encoded;
    {
      auto db = pool_.acquire();
      encoded = db->tickets.rawSpan(span_, span_.offset + read_, length);
    }
    if (!encoded) throw std::runtime_error("the attachment was deleted during its download");
    if (encoded->size() != length) {
      throw std::runtime_error("attachment span " + std::to_string(span_.offset) + "+" +
                               std::to_string(span_.length) + " lies outside message " +
                               std::to_string(span_.message_id));
    }
    read_ += length;
    return {out_.data(), decoder_.decode(*encoded, out_)};
  }

  // A span that decodes to other bytes than the stored ones is a damaged row, not a download.
  void expectSize(std::uint64_t decoded) const {
    if (decoded == span_.decoded_size) return;
    throw std::runtime_error("attachment span of message " + std::to_string(span_.message_id) +
                             " decodes to " + std::to_string(decoded) + " bytes, not the " +
                             std::to_string(span_.decoded_size) + " stored");
  }
  void expectDigest(const std::string& sha256_hex) const {
    if (sha256_hex == span_.decoded_sha256) return;
    throw std::runtime_error("attachment span of message " + std::to_string(span_.message_id) +
                             " decodes to bytes whose SHA-256 is not the stored one");
  }
  void expectContent(std::string_view decoded) const {
    expectSize(decoded.size());
    expectDigest(crypto::sha256Hex(decoded));
  }

 private:
  static constexpr std::uint64_t kPieceBytes = db::kChunkBytes;

  ReaderPool& pool_;
  const db::Base64Span& span_;
  mime::Base64Decoder decoder_;
  std::vector<char> out_;
  std::uint64_t read_ = 0;
};

void sendBase64Span(ReaderPool& pool, Poco::Net::HTTPServerResponse& response,
                    const std::string& content_type, const std::string& disposition,
                    const db::Base64Span& span) {
  SpanDecoder decoder(pool, span);
  if (span.length <= db::kChunkBytes) {
    // One piece (most attachments): decoded and checked before the head, so a damaged row is an
    // error response, never wrong bytes.
    const std::string_view decoded = decoder.done() ? std::string_view() : decoder.next();
    decoder.expectContent(decoded);
    setDownloadHead(response, content_type, disposition, decoded.size());
    response.send().write(decoded.data(), static_cast<std::streamsize>(decoded.size()));
    return;
  }
  setDownloadHead(response, content_type, disposition, span.decoded_size);
  response.setKeepAlive(false);  // a body cut short must end its connection
  std::ostream& body = response.send();
  // Each piece goes out once the next one is decoded, and the last one only once the whole
  // content's size and SHA-256 are the row's: a damaged row ends the connection short of
  // Content-Length, so a client never takes other bytes for the attachment.
  crypto::Sha256 digest;
  std::string held;
  std::uint64_t decoded = 0;
  while (!decoder.done()) {
    // Never more than Content-Length, whatever the row says.
    const std::string_view piece = decoder.next().substr(0, span.decoded_size - decoded);
    digest.update(piece);
    decoded += piece.size();
    body.write(held.data(), static_cast<std::streamsize>(held.size()));
    if (!body) return;  // the client went away (or stopped reading past the write timeout)
    held.assign(piece);
  }
  decoder.expectSize(decoded);
  decoder.expectDigest(digest.hexDigest());
  body.write(held.data(), static_cast<std::streamsize>(held.size()));
  body.flush();
}

}  // namespace

void sendStoredBytes(ReaderPool& pool, Poco::Net::HTTPServerResponse& response,
                     const std::string& content_type, const std::string& disposition,
                     const db::StoredBytes& stored) {
  if (stored.base64_of_raw) {
    sendBase64Span(pool, response, content_type, disposition, *stored.base64_of_raw);
    return;
  }
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
