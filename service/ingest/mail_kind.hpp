#pragma once
// What kind of mail this is, before threading: written by a person, or by a machine (auto-reply,
// bulk, bounce), or by ourselves. Only kCustomer mail may open a ticket (loop protection).

#include <string>

#include "connectors/mime/message.hpp"
#include "service/ingest/outcome.hpp"
#include "service/ingest/policy.hpp"

namespace hd::ingest {

struct MailKind {
  Classification classification = Classification::kCustomer;
  std::string reason;  // which header or sender decided it, e.g. "Auto-Submitted: auto-replied"
};

// The first rule that matches, in this order:
// 1. own_mail: From (else Sender) is one of policy.own_addresses.
// 2. bounce: see bounceReason() in bounce.hpp.
// 3. auto_reply: Auto-Submitted other than "no" (RFC 3834 section 5), X-Autoreply, X-Autorespond,
//    X-Auto-Response-Suppress (Exchange), Precedence: auto_reply, a disposition-notification
//    report (read receipt, RFC 8098), From postmaster@, or a null Return-Path (RFC 3834 section
//    3.3 asks responders to send from <>).
// 4. bulk: Precedence bulk, junk or list; a List-Id header (RFC 2919).
// Otherwise kCustomer with an empty reason.
MailKind classifyMail(const mime::Message& message, const Policy& policy);

}  // namespace hd::ingest
