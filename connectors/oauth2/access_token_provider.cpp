#include "connectors/oauth2/access_token_provider.hpp"

#include <Poco/Logger.h>

#include "connectors/net/errors.hpp"

namespace hd::oauth2 {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.oauth2");
}

net::AuthError authErrorOf(const OAuthError& error) {
  if (error.requiresLogin()) {
    return net::AuthError(
        "OAuth2 sign-in required (run `helpdesk-ingest auth login`): " + error.message(),
        /*retryable=*/false);
  }
  return net::AuthError("OAuth2 token request failed: " + error.message(), /*retryable=*/true);
}

}  // namespace

AccessTokenProvider::AccessTokenProvider(TokenClient& client, TokenStore* store, const Clock& clock,
                                         TokenMode mode, std::chrono::seconds refresh_margin)
    : client_(client), store_(store), clock_(clock), mode_(mode), refresh_margin_(refresh_margin) {}

std::string AccessTokenProvider::accessToken() {
  std::lock_guard lock(mutex_);
  if (!cached_ && mode_ == TokenMode::kDelegated && store_ != nullptr) {
    cached_ = store_->load();
    if (!cached_) {
      throw net::AuthError("no OAuth2 token stored: run `helpdesk-ingest auth login`",
                           /*retryable=*/false);
    }
    if (refused_ && cached_->refresh_token == refused_->refresh_token) {
      // Nobody signed in since Microsoft refused this refresh token: same answer, no request.
      cached_.reset();
      throw net::AuthError(refused_->message, /*retryable=*/false);
    }
    refused_.reset();  // a new `auth login` stored other tokens
  }
  if (!cached_ || refresh_next_ || clock_.now() + refresh_margin_ >= cached_->expires_at ||
      cached_->access_token.empty()) {
    cached_ = fetch();
    refresh_next_ = false;
  }
  return cached_->access_token;
}

void AccessTokenProvider::invalidate() {
  std::lock_guard lock(mutex_);
  if (mode_ == TokenMode::kDelegated && store_ != nullptr) {
    // Read the store again: an `auth login` since (perhaps as another account) replaces what the
    // server just refused. Its access token is refreshed all the same.
    cached_.reset();
    refresh_next_ = true;
  } else if (cached_) {
    cached_->access_token.clear();
  }
}

std::optional<std::chrono::system_clock::time_point> AccessTokenProvider::expiresAt() const {
  std::lock_guard lock(mutex_);
  if (!cached_ || cached_->access_token.empty()) return std::nullopt;
  return cached_->expires_at;
}

TokenSet AccessTokenProvider::fetch() {
  if (mode_ == TokenMode::kClientCredentials) {
    TokenResult result = client_.clientCredentials();
    if (auto* error = std::get_if<OAuthError>(&result)) throw authErrorOf(*error);
    return std::get<TokenSet>(result);
  }
  if (store_ == nullptr || !cached_ || cached_->refresh_token.empty()) {
    throw net::AuthError("no OAuth2 refresh token: run `helpdesk-ingest auth login`",
                         /*retryable=*/false);
  }
  TokenResult result = client_.refresh(cached_->refresh_token);
  if (auto* error = std::get_if<OAuthError>(&result)) {
    net::AuthError failure = authErrorOf(*error);
    if (!failure.retryable()) {
      // Forget the dead token: the next call reads the store, where `auth login` puts new ones.
      refused_ = Refusal{cached_->refresh_token, failure.what()};
      cached_.reset();
    }
    throw failure;
  }
  TokenSet tokens = std::get<TokenSet>(result);
  // Microsoft rotates refresh tokens on every use; an answer without one keeps the old one
  // valid (RFC 6749 section 6).
  if (tokens.refresh_token.empty()) tokens.refresh_token = cached_->refresh_token;
  // Saved before use: a crash after this point still leaves the newest token in the store.
  store_->save(tokens);
  logger().information("refresh token rotated and stored");
  return tokens;
}

}  // namespace hd::oauth2
