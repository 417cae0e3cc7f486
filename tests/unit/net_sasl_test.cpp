#include <gtest/gtest.h>

#include <string>

#include "connectors/net/errors.hpp"
#include "connectors/net/sasl.hpp"

namespace hd::net {
namespace {

using namespace std::string_literals;

TEST(NetSasl, PlainIsNulUserNulPassword) {
  const SaslCredentials sasl = saslPlain("tim", "tanstaaftanstaaf");
  EXPECT_EQ(sasl.mechanism, "PLAIN");
  EXPECT_EQ(sasl.initial_response, "\0tim\0tanstaaftanstaaf"s);
  // RFC 4616 section 4 example, without authzid.
  EXPECT_EQ(base64Encode(sasl.initial_response), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

TEST(NetSasl, Xoauth2MatchesMicrosoftDocumentedFormat) {
  const SaslCredentials sasl =
      saslXoauth2("test@contoso.onmicrosoft.com", "EwBAAl3BAAUFFpUAo7J3Ve");
  EXPECT_EQ(sasl.mechanism, "XOAUTH2");
  EXPECT_EQ(sasl.initial_response,
            "user=test@contoso.onmicrosoft.com\x01"
            "auth=Bearer EwBAAl3BAAUFFpUAo7J3Ve\x01\x01");
  // The base64 form from Microsoft's "Authenticate an IMAP, POP or SMTP connection using OAuth".
  EXPECT_EQ(
      base64Encode(sasl.initial_response),
      "dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVm"
      "UBAQ==");
}

TEST(NetSasl, Base64HasNoLineBreaksForLongInput) {
  const std::string long_token(3000, 'x');
  const std::string encoded = base64Encode(long_token);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_EQ(encoded.find('\r'), std::string::npos);
  EXPECT_EQ(encoded.size(), 4000u);
  EXPECT_EQ(base64Decode(encoded), long_token);
}

TEST(NetSasl, Base64RoundTripsBinaryAndEmpty) {
  const std::string binary = "\0\x01\xff\xfe tail"s;
  EXPECT_EQ(base64Decode(base64Encode(binary)), binary);
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Decode(""), "");
}

TEST(NetSasl, DecodeIsLenientAboutWhitespaceAndStrictAboutJunk) {
  EXPECT_EQ(base64Decode("aGVs\r\nbG8=\n"), "hello");
  EXPECT_EQ(base64Decode(" aGVsbG8= "), "hello");
  EXPECT_THROW(base64Decode("aGVs*bG8="), ProtocolError);
  // The XOAUTH2 error challenge Exchange and Gmail send.
  EXPECT_EQ(base64Decode("eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0="),
            R"({"status":"401","schemes":"bearer"})");
}

}  // namespace
}  // namespace hd::net
