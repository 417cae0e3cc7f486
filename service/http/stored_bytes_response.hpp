#pragma once
// Sends a stored content (a raw message, an attachment) as a download. A big one is streamed
// chunk by chunk (db/content_chunks.hpp): one chunk in memory at a time, each read with a reader
// borrowed from the pool for that chunk alone, so a slow client never holds a database
// connection. Content-Length is the stored size. An attachment stored as a base64 span of its
// message (db::Base64Span) is read the same way, a chunk's worth of the span at a time, and
// decoded on the way.
//
// A client that goes away mid-download ends the stream (the write fails, nothing more is read);
// a database failure after the head was sent cannot be answered any more: the exception passes
// to the dispatcher (logged) and the connection closes short of Content-Length, which the
// client sees as a truncated download.

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

#include "db/content_chunks.hpp"
#include "service/http/reader_pool.hpp"

namespace hd::service::http {

void sendStoredBytes(ReaderPool& pool, Poco::Net::HTTPServerResponse& response,
                     const std::string& content_type, const std::string& disposition,
                     const db::StoredBytes& stored);

}  // namespace hd::service::http
