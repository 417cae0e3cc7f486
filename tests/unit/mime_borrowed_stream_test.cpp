// BorrowedMemoryStream: GMime reads a message parsed from memory in place, without a copy, and
// the bytes stay the caller's (GLib never frees them), also after a parse made from the stream.

#include <gtest/gtest.h>

#include <string>

#include "connectors/mime/gmime_support.hpp"

namespace hd::mime {
namespace {

TEST(BorrowedMemoryStream, GMimeReadsTheBytesInPlace) {
  ensureGMimeInitialised();
  const std::string raw = "Subject: hi\r\n\r\nbody\r\n";
  const BorrowedMemoryStream stream(raw);
  GByteArray* buffer = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(static_cast<const void*>(buffer->data), static_cast<const void*>(raw.data()));
  EXPECT_EQ(buffer->len, raw.size());
  char read[8] = {};
  ASSERT_EQ(g_mime_stream_read(stream.get(), read, 7), 7);
  EXPECT_EQ(std::string(read, 7), "Subject");
}

TEST(BorrowedMemoryStream, TheBytesOutliveTheStreamAndEverythingParsedFromIt) {
  ensureGMimeInitialised();
  std::string raw =
      "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";
  const std::string copy = raw;
  {
    const BorrowedMemoryStream stream(raw);
    const GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    const GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    ASSERT_NE(message, nullptr);
    EXPECT_TRUE(GMIME_IS_MULTIPART(g_mime_message_get_mime_part(message.get())));
  }
  EXPECT_EQ(raw, copy) << "GMime changed the borrowed bytes";
  raw.append(1 << 20, 'x');  // the buffer is still ours to grow (and, leaving scope, to free)
  EXPECT_EQ(raw.substr(0, copy.size()), copy);
}

}  // namespace
}  // namespace hd::mime
