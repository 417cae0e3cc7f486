#include "tests/support/fake_identity_server.hpp"

#include "tests/support/test_env.hpp"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "connectors/net/sasl.hpp"

namespace hd::test {
namespace {

using Json = nlohmann::json;

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(FakeIdentityServer& server) : server_(server) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    Poco::Net::HTMLForm form(request, request.stream());
    std::map<std::string, std::string> fields;
    for (const auto& [name, value] : form) fields[name] = value;
    FakeIdentityServer::Reply reply = server_.handle(request.getURI(), fields);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.send() << reply.body;
  }

 private:
  FakeIdentityServer& server_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(FakeIdentityServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(server_);
  }

 private:
  FakeIdentityServer& server_;
};

FakeIdentityServer::Reply oauthError(const std::string& error, const std::string& description) {
  return {400, Json{{"error", error}, {"error_description", description}}.dump()};
}

// An unsigned JWT (the service reads the claims only): header.payload.signature, base64url.
std::string fakeIdToken(const Json& claims) {
  auto encode = [](const std::string& bytes) {
    std::string text = net::base64Encode(bytes);
    for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!text.empty() && text.back() == '=') text.pop_back();
    return text;
  };
  return encode(R"({"typ":"JWT","alg":"none"})") + "." + encode(claims.dump()) + ".c2lnbmF0dXJl";
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::uint16_t introspectionPort() {
  return static_cast<std::uint16_t>(TestEnv::get().oauth_port);
}

FakeIdentityServer::FakeIdentityServer(std::string username, std::uint16_t port)
    : username_(std::move(username)),
      token_username_(username_),
      signed_in_preferred_username_(username_),
      signed_in_email_(username_) {
  Poco::Net::ServerSocket socket;
  try {
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", port), true);
    socket.listen();
  } catch (const Poco::Exception& e) {
    // what() is only "Net Exception"; say which port and why.
    throw std::runtime_error("fake identity server: cannot listen on 127.0.0.1:" +
                             std::to_string(port) + ": " + e.displayText());
  }
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  pool_ = std::make_unique<Poco::ThreadPool>(1, 4);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), *pool_, socket, params);
  server_->start();
}

FakeIdentityServer::~FakeIdentityServer() {
  server_->stopAll(true);
  pool_->joinAll();
}

std::uint16_t FakeIdentityServer::port() const {
  return server_->port();
}

std::string FakeIdentityServer::authority() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

void FakeIdentityServer::setAccessTokenLifetime(int seconds) {
  std::lock_guard lock(mutex_);
  lifetime_seconds_ = seconds;
}

void FakeIdentityServer::setPendingPolls(int polls) {
  std::lock_guard lock(mutex_);
  pending_polls_ = polls;
}

void FakeIdentityServer::setSignedInAccount(std::string preferred_username, std::string email) {
  std::lock_guard lock(mutex_);
  signed_in_preferred_username_ = std::move(preferred_username);
  signed_in_email_ = std::move(email);
}

void FakeIdentityServer::setTokenUsername(std::string username) {
  std::lock_guard lock(mutex_);
  token_username_ = std::move(username);
}

void FakeIdentityServer::revokeRefreshTokens() {
  std::lock_guard lock(mutex_);
  refresh_token_.clear();
}

void FakeIdentityServer::revokeAccessTokens() {
  std::lock_guard lock(mutex_);
  access_tokens_.clear();
}

int FakeIdentityServer::refreshCount() const {
  std::lock_guard lock(mutex_);
  return refresh_count_;
}

std::string FakeIdentityServer::currentRefreshToken() const {
  std::lock_guard lock(mutex_);
  return refresh_token_;
}

std::string FakeIdentityServer::issueTokens(bool with_refresh, bool with_id_token) {
  ++serial_;
  const std::string access = "fake-access-" + std::to_string(serial_);
  access_tokens_[access] = token_username_;
  Json body{{"token_type", "Bearer"},
            {"expires_in", lifetime_seconds_},
            {"access_token", access},
            {"scope", "https://outlook.office.com/IMAP.AccessAsUser.All"}};
  if (with_id_token) {
    body["id_token"] = fakeIdToken({{"aud", "fake-client"},
                                    {"name", "Help Desk"},
                                    {"preferred_username", signed_in_preferred_username_},
                                    {"email", signed_in_email_}});
  }
  if (with_refresh) {
    refresh_token_ = "fake-refresh-" + std::to_string(serial_);
    body["refresh_token"] = refresh_token_;
  }
  return body.dump();
}

FakeIdentityServer::Reply FakeIdentityServer::handle(
    const std::string& path, const std::map<std::string, std::string>& form) {
  std::lock_guard lock(mutex_);
  auto field = [&form](const std::string& name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  if (path == "/introspect") {
    const auto token = access_tokens_.find(field("token"));
    const bool active = token != access_tokens_.end();
    Json body{{"active", active}};
    if (active) body["username"] = token->second;
    return {200, body.dump()};
  }
  if (field("client_id").empty()) return oauthError("invalid_request", "client_id missing");
  if (endsWith(path, "/oauth2/v2.0/devicecode")) {
    return {200, Json{{"device_code", "fake-device-code"},
                      {"user_code", "FAKE-CODE"},
                      {"verification_uri", "https://www.microsoft.com/link"},
                      {"expires_in", 60},
                      {"interval", 1},
                      {"message",
                       "To sign in, use a web browser to open the page "
                       "https://www.microsoft.com/link and enter the code FAKE-CODE to "
                       "authenticate."}}
                     .dump()};
  }
  if (!endsWith(path, "/oauth2/v2.0/token")) return {404, R"({"error":"not_found"})"};
  const std::string grant = field("grant_type");
  if (grant != "client_credentials" && !field("client_secret").empty()) {
    // What Microsoft answers a public client (device code, its refresh tokens) sending a secret.
    return {401, Json{{"error", "invalid_client"},
                      {"error_description",
                       "AADSTS700025: Client is public so neither 'client_assertion' nor "
                       "'client_secret' should be presented."}}
                     .dump()};
  }
  if (grant == "urn:ietf:params:oauth:grant-type:device_code") {
    if (field("device_code") != "fake-device-code") {
      return oauthError("bad_verification_code", "unknown device code");
    }
    if (pending_polls_ > 0) {
      --pending_polls_;
      return oauthError("authorization_pending", "AADSTS70016: pending");
    }
    return {200, issueTokens(true, /*with_id_token=*/true)};
  }
  if (grant == "refresh_token") {
    if (refresh_token_.empty() || field("refresh_token") != refresh_token_) {
      return oauthError("invalid_grant",
                        "AADSTS70000: The provided value for the 'refresh_token' is not valid.");
    }
    ++refresh_count_;
    return {200, issueTokens(true)};
  }
  if (grant == "client_credentials") return {200, issueTokens(false)};
  return oauthError("unsupported_grant_type", grant);
}

}  // namespace hd::test
