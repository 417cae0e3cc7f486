#pragma once
// Test doubles for the OAuth2 module: a scripted HTTP transport, a settable clock and a token
// store in memory.

#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/net/errors.hpp"
#include "connectors/oauth2/clock.hpp"
#include "connectors/oauth2/http_transport.hpp"
#include "connectors/oauth2/token_store.hpp"

namespace hd::oauth2::test {

class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point{} + std::chrono::hours(500'000);
};

struct RecordedRequest {
  std::string url;
  std::string body;
};

// Answers with the queued responses in order; a response with status 0 throws NetworkError.
class ScriptedTransport final : public HttpTransport {
 public:
  void answer(int status, std::string body) { responses_.push_back({status, std::move(body)}); }
  HttpResponse postForm(const std::string& url, const std::string& form_body) override {
    requests.push_back({url, form_body});
    if (responses_.empty()) throw std::logic_error("unexpected request to " + url);
    HttpResponse response = responses_.front();
    responses_.pop_front();
    if (response.status == 0) throw net::NetworkError("connection refused");
    return response;
  }
  std::size_t pending() const { return responses_.size(); }

  std::vector<RecordedRequest> requests;

 private:
  std::deque<HttpResponse> responses_;
};

class MemoryTokenStore final : public TokenStore {
 public:
  std::optional<TokenSet> load() override { return stored; }
  void save(const TokenSet& tokens) override {
    stored = tokens;
    saved_refresh_tokens.push_back(tokens.refresh_token);
  }
  std::optional<TokenSet> stored;
  std::vector<std::string> saved_refresh_tokens;
};

inline std::string tokenJson(const std::string& access, const std::string& refresh,
                             int expires_in = 3599) {
  std::string json = R"({"token_type":"Bearer","expires_in":)" + std::to_string(expires_in) +
                     R"(,"access_token":")" + access + '"';
  if (!refresh.empty()) json += R"(,"refresh_token":")" + refresh + '"';
  return json + "}";
}

}  // namespace hd::oauth2::test
