#include "service/ingest_step.hpp"

#include <system_error>
#include <utility>

#include "service/ingest/bounce.hpp"
#include "service/ingest/thread_questions.hpp"

namespace hd::service {

PreparedBatch::PreparedBatch(std::uint64_t max_message_bytes, mime::Limits mime_limits)
    : max_message_bytes_(max_message_bytes), mime_limits_(std::move(mime_limits)) {
  // An attachment stored as a span of the raw bytes needs only its size and SHA-256 here: no
  // decoded copy in memory or in a spill file, but for the returned headers decide() reads.
  mime_limits_.keep_span_content = ingest::carriesReturnedHeaders;
}

void PreparedBatch::add(std::string source_key, std::string mailbox, spill::Bytes raw) {
  IncomingMessage in;
  in.source_key = std::move(source_key);
  in.mailbox = std::move(mailbox);
  auto parsed = std::make_unique<mime::ParseResult>();
  if (raw.size() > max_message_bytes_) {
    in.quarantine_reason = "message is " + std::to_string(raw.size()) +
                           " bytes, over the limit of " + std::to_string(max_message_bytes_) +
                           " (limits.max_message_bytes)";
  } else {
    try {
      *parsed = mime::parseBytes(raw, mime_limits_);
      if (!parsed->ok) in.quarantine_reason = "cannot parse: " + parsed->error;
    } catch (const std::system_error&) {
      throw;  // a spill file could not be written: the environment failed, not the mail
    } catch (const std::exception& e) {
      in.quarantine_reason = std::string("MIME parser failed: ") + e.what();
    }
  }
  if (in.quarantine_reason.empty()) {
    in.raw_sha256 = spill::sha256Hex(raw);
    in.parsed = &parsed->message;
    in.warnings = parsed->warnings;
  }
  bytes_ += raw.size();
  in.raw = std::move(raw);
  messages_.push_back(std::move(in));
  parsed_.push_back(std::move(parsed));
}

void PreparedBatch::addLeftOnServer(std::string source_key, std::string mailbox,
                                    std::string headers, std::uint64_t size) {
  IncomingMessage in;
  in.source_key = std::move(source_key);
  in.mailbox = std::move(mailbox);
  in.quarantine_reason = "message is " + std::to_string(size) + " bytes, over the limit of " +
                         std::to_string(max_message_bytes_) +
                         " (limits.max_message_bytes); left on the server, header kept";
  in.left_on_server = true;
  in.size = size;
  in.raw = std::move(headers);
  messages_.push_back(std::move(in));
  parsed_.push_back(nullptr);
}

std::vector<BatchEntryResult> PreparedBatch::commit(
    MessageStore& store, const ingest::Policy& policy, OnRefused on_refused,
    const std::function<void(std::size_t)>& before_decide) {
  for (IncomingMessage& in : messages_) {
    if (in.parsed != nullptr) in.thread_questions = ingest::threadQuestions(*in.parsed, policy);
  }
  return store.commitBatch(
      messages_,
      [&](std::size_t i, ingest::ThreadLookup& lookup) {
        if (before_decide) before_decide(i);
        return ingest::decide(*messages_[i].parsed, lookup, policy);
      },
      on_refused);
}

RetryResult PreparedBatch::commitRetry(QuarantineRetryStore& store, const ingest::Policy& policy,
                                       std::int64_t quarantine_id) {
  if (messages_.size() != 1 || messages_.front().parsed == nullptr) {
    throw std::logic_error("commitRetry: one parsed message expected");
  }
  return store.commitRetry(quarantine_id, messages_.front(),
                           [&](std::size_t, ingest::ThreadLookup& lookup) {
                             return ingest::decide(*messages_.front().parsed, lookup, policy);
                           });
}

}  // namespace hd::service
