#include <gtest/gtest.h>

#include "connectors/net/redact.hpp"

namespace hd::net {
namespace {

TEST(NetRedact, ImapLoginKeepsUserMasksPassword) {
  EXPECT_EQ(redactProtocolLine("A0002 LOGIN alice s3cret\r\n"), "A0002 LOGIN alice <redacted>");
  EXPECT_EQ(redactProtocolLine("a1 login \"alice smith\" \"pass with spaces\""),
            "a1 login \"alice smith\" <redacted>");
  EXPECT_EQ(redactProtocolLine("A0002 LOGIN \"al\\\"ice\" pw"),
            "A0002 LOGIN \"al\\\"ice\" <redacted>");
  EXPECT_EQ(redactProtocolLine("A0002 LOGIN alice {8}"), "A0002 LOGIN alice <redacted>");
}

TEST(NetRedact, SaslInitialResponsesAreMasked) {
  EXPECT_EQ(redactProtocolLine("A0003 AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldA=="),
            "A0003 AUTHENTICATE PLAIN <redacted>");
  EXPECT_EQ(redactProtocolLine("A0003 AUTHENTICATE XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHgBAQ=="),
            "A0003 AUTHENTICATE XOAUTH2 <redacted>");
  EXPECT_EQ(redactProtocolLine("AUTH XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHgBAQ=="),
            "AUTH XOAUTH2 <redacted>");
  // Without an initial response there is nothing to hide.
  EXPECT_EQ(redactProtocolLine("A0003 AUTHENTICATE PLAIN"), "A0003 AUTHENTICATE PLAIN");
  EXPECT_EQ(redactProtocolLine("AUTH PLAIN"), "AUTH PLAIN");
}

TEST(NetRedact, Pop3PassAndApop) {
  EXPECT_EQ(redactProtocolLine("PASS my secret pass\r\n"), "PASS <redacted>");
  EXPECT_EQ(redactProtocolLine("pass x"), "pass <redacted>");
  EXPECT_EQ(redactProtocolLine("APOP mrose c4c9334bac560ecc979e58001b3e22fb"),
            "APOP mrose <redacted>");
  EXPECT_EQ(redactProtocolLine("USER alice"), "USER alice");
}

TEST(NetRedact, OtherCommandsPassUnchanged) {
  EXPECT_EQ(redactProtocolLine("A0005 UID FETCH 1:5 (UID RFC822.SIZE BODY.PEEK[])\r\n"),
            "A0005 UID FETCH 1:5 (UID RFC822.SIZE BODY.PEEK[])");
  EXPECT_EQ(redactProtocolLine("A0006 SELECT \"Junk Email\""), "A0006 SELECT \"Junk Email\"");
  EXPECT_EQ(redactProtocolLine(""), "");
  // A folder called PASS is not a password.
  EXPECT_EQ(redactProtocolLine("A0007 SELECT PASS"), "A0007 SELECT PASS");
}

}  // namespace
}  // namespace hd::net
