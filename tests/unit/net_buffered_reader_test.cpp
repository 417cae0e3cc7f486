#include <gtest/gtest.h>

#include <string>

#include "connectors/net/buffered_reader.hpp"
#include "connectors/net/errors.hpp"
#include "tests/support/scripted_stream.hpp"

namespace hd::net {
namespace {

using test::ScriptedStream;

TEST(NetBufferedReader, LinesWithCrlfOrBareLfAcrossReads) {
  ScriptedStream stream;
  stream.server("+OK hel").server("lo\r").server("\nsecond\nthird\r\n");
  BufferedReader reader(stream, 4);
  EXPECT_EQ(reader.readLine(100), "+OK hello");
  EXPECT_EQ(reader.readLine(100), "second");
  EXPECT_EQ(reader.readLine(100), "third");
  EXPECT_THROW(reader.readLine(100), NetworkError);
}

TEST(NetBufferedReader, LineLengthBoundExcludesTheLineEnd) {
  ScriptedStream stream;
  stream.server("12345\r\n123456\r\n");
  BufferedReader reader(stream);
  EXPECT_EQ(reader.readLine(5), "12345");
  try {
    reader.readLine(5);
    FAIL() << "no error for a long line";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("longer than 5"), std::string::npos);
  }
}

TEST(NetBufferedReader, ReadExactMixesBufferAndDirectReads) {
  const std::string payload(100'000, 'z');
  ScriptedStream stream;
  stream.server("head\r\n" + payload.substr(0, 10)).server(payload.substr(10) + "tail\r\n");
  stream.setReadChunk(4096);
  BufferedReader reader(stream, 64);
  EXPECT_EQ(reader.readLine(10), "head");
  std::string out = "prefix:";
  reader.readExact(payload.size(), out);
  EXPECT_EQ(out, "prefix:" + payload);
  EXPECT_EQ(reader.readLine(10), "tail");
}

TEST(NetBufferedReader, EarlyEndIsANetworkError) {
  ScriptedStream stream;
  stream.server("abc");
  BufferedReader reader(stream);
  std::string out;
  EXPECT_THROW(reader.readExact(10, out), NetworkError);
  EXPECT_EQ(out, "abc") << "bytes already read stay visible";
}

TEST(NetBufferedReader, PeekGetSkipAndBuffered) {
  ScriptedStream stream;
  stream.server("abcdef");
  BufferedReader reader(stream);
  EXPECT_EQ(reader.peek(), 'a');
  EXPECT_EQ(reader.get(), 'a');
  EXPECT_EQ(reader.buffered(), 5u);
  reader.skip(3);
  EXPECT_EQ(reader.get(), 'e');
  EXPECT_EQ(reader.buffered(), 1u);
}

}  // namespace
}  // namespace hd::net
