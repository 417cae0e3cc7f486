// The request gate's judgement of a request head, on bytes: complete, incomplete, or refused with
// the right status, for every spelling of the framing headers an attacker would try.

#include <gtest/gtest.h>

#include "service/http/metrics.hpp"
#include "service/http/request_head.hpp"

namespace hd::service::http {
namespace {

using Kind = HeadVerdict::Kind;

HeadVerdict inspect(const std::string& bytes) {
  return inspectRequestHead(bytes, HeadLimits{});
}

int refusal(const std::string& bytes) {
  const auto verdict = inspect(bytes);
  return verdict.kind == Kind::kRefused ? verdict.status : 0;
}

TEST(RequestHead, CompleteHeadsWithAndWithoutBody) {
  const std::string probe = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  auto verdict = inspect(probe);
  EXPECT_EQ(verdict.kind, Kind::kComplete);
  EXPECT_TRUE(verdict.probe);
  EXPECT_EQ(verdict.request_bytes, probe.size());
  // Bare LF line ends (POCO reads them too) and empty lines before the request line.
  EXPECT_EQ(inspect("\r\n\r\nGET /metrics HTTP/1.0\nHost: x\n\n").kind, Kind::kComplete);
  verdict = inspect("POST /api/v1/quarantine/1/retry HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(verdict.kind, Kind::kComplete);
  EXPECT_FALSE(verdict.probe);
  EXPECT_EQ(inspect("GET /api/v1/tickets HTTP/1.1\r\n\r\n").probe, false);
  // A probe path with a body is not served by the probe threads.
  EXPECT_FALSE(inspect("GET /healthz HTTP/1.1\r\nContent-Length: 1\r\n\r\nx").probe);
  EXPECT_FALSE(inspect("DELETE /healthz HTTP/1.1\r\n\r\n").probe);
}

TEST(RequestHead, IncompleteUntilHeadAndBodyArrived) {
  EXPECT_EQ(inspect("").kind, Kind::kIncomplete);
  EXPECT_EQ(inspect("GET /healthz HTTP/1.1\r\nHost: x\r\n").kind, Kind::kIncomplete);
  const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
  const auto verdict = inspect(head + "abc");
  EXPECT_EQ(verdict.kind, Kind::kIncomplete);
  EXPECT_EQ(verdict.request_bytes,
            head.size() + 10);  // the whole request, so the gate waits for that much
}

TEST(RequestHead, TransferEncodingInAnySpellingIsRefused) {
  for (const char* header :
       {"Transfer-Encoding: chunked", "transfer-encoding: gzip", "TRANSFER-ENCODING:chunked",
        "Transfer-Encoding: gzip, chunked", "Transfer-Encoding:\tidentity"}) {
    EXPECT_EQ(refusal(std::string("POST /x HTTP/1.1\r\n") + header +
                      "\r\nContent-Length: 5\r\n\r\nhello"),
              501)
        << header;
  }
  // White space before the colon (RFC 9112 section 5.1) and folded lines hide a header from
  // some parsers: refused as malformed.
  EXPECT_EQ(refusal("POST /x HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n"), 400);
  EXPECT_EQ(refusal("POST /x HTTP/1.1\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n"), 400);
}

TEST(RequestHead, ContentLengthMustBeOneNumberWithinTheLimit) {
  for (const char* value : {"+5", "-1", "5, 5", "0x10", "", "5 5", "99999999999999999999"}) {
    EXPECT_EQ(
        refusal(std::string("POST /x HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\nhello"), 400)
        << value;
  }
  EXPECT_EQ(refusal("POST /x HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\nhello"),
            400);
  EXPECT_EQ(refusal("POST /x HTTP/1.1\r\nContent-Length: 65537\r\n\r\n"), 413);
  EXPECT_EQ(inspect("POST /x HTTP/1.1\r\nContent-Length:  5 \r\n\r\nhello").kind, Kind::kComplete);
}

TEST(RequestHead, MalformedRequestLinesAndVersions) {
  EXPECT_EQ(refusal("GET /healthz HTTP/9.9\r\n\r\n"), 505);
  EXPECT_EQ(refusal("GET /healthz HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(refusal("GET /healthz HTTPS/1.1\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET /healthz\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET  /healthz HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(refusal("G(T /healthz HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET healthz HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET /a\x01"
                    "b HTTP/1.1\r\n\r\n"),
            400);
  EXPECT_EQ(refusal(std::string(40, 'M') + " / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nno colon here\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\n: empty name\r\n\r\n"), 400);
}

TEST(RequestHead, SizeAndFieldCountLimits) {
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 65; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(refusal(many + "\r\n"), 400);
  // Too large, complete or not.
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nX: " + std::string(17000, 'a')), 431);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nX: " + std::string(17000, 'a') + "\r\n\r\n"), 431);
}

TEST(MetricLabels, MadeUpMethodsAreOneLabelValue) {
  EXPECT_EQ(methodLabel("GET"), "GET");
  EXPECT_EQ(methodLabel("PATCH"), "PATCH");
  EXPECT_EQ(methodLabel("FOO"), "other");
  EXPECT_EQ(methodLabel("get"), "other");
  EXPECT_EQ(methodLabel(std::string(30, 'X')), "other");
}

}  // namespace
}  // namespace hd::service::http
