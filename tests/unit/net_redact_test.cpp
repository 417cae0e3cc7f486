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

// The texts libpq produces for malformed connection URIs quote the URI or the bad token.
TEST(NetRedactSecrets, UriPasswordsAreMaskedEvenInMalformedUris) {
  EXPECT_EQ(redactSecrets("end of string reached when looking for matching \"]\" in IPv6 host "
                          "address in URI: \"postgresql://u:S3cr3tPw@[::1/db\""),
            "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
            "\"postgresql://u:<redacted>@[::1/db\"");
  EXPECT_EQ(redactSecrets("postgres://user:p%40ss@db.example:5432/x?sslmode=require"),
            "postgres://user:<redacted>@db.example:5432/x?sslmode=require");
  // A raw '@' in the password: everything up to the last '@' is the userinfo.
  EXPECT_EQ(redactSecrets("url postgresql://u:a@b@host/db failed"),
            "url postgresql://u:<redacted>@host/db failed");
  EXPECT_EQ(redactSecrets("https://example.com/a@b and postgresql://u@host/db"),
            "https://example.com/a@b and postgresql://u@host/db");
}

TEST(NetRedactSecrets, ConninfoPasswordsAreMasked) {
  EXPECT_EQ(redactSecrets("host=db password=hunter22 port=5432"),
            "host=db password=<redacted> port=5432");
  EXPECT_EQ(redactSecrets("host=db PASSWORD = 'with \\' quote' user=x"),
            "host=db PASSWORD = <redacted> user=x");
  EXPECT_EQ(redactSecrets("the password is required"), "the password is required");
}

TEST(NetRedactSecrets, RememberedSecretsAreMaskedWhereverTheyAppear) {
  rememberSecret("Qx7%ZZpass");  // as written in a URL with a bad escape
  rememberSecret("tok%41en-99");
  rememberSecret("abc");  // too short to mask by value
  EXPECT_EQ(redactSecrets("invalid percent-encoded token: \"Qx7%ZZpass\""),
            "invalid percent-encoded token: \"<redacted>\"");
  EXPECT_EQ(redactSecrets("got tok%41en-99 and tokAen-99"), "got <redacted> and <redacted>");
  EXPECT_EQ(redactSecrets("abc"), "abc");
}

TEST(NetRedactSecrets, UriPasswordIsTheUserinfoPassword) {
  EXPECT_EQ(uriPassword("postgresql://u:PASS%ZZ@localhost/db"), "PASS%ZZ");
  EXPECT_EQ(uriPassword("postgresql://u:PASS@[::1/db"), "PASS");
  EXPECT_EQ(uriPassword("postgresql://u@localhost/db"), "");
  EXPECT_EQ(uriPassword("host=x password=y"), "");
}

}  // namespace
}  // namespace hd::net
