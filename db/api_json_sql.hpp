#pragma once
// SQL expressions that build the HTTP API's JSON objects inside PostgreSQL (jsonb), shared by the
// feed, ticket and message readers so that every endpoint describes a ticket or a message the same
// way (the schemas in service/http/openapi_document.cpp). Timestamps render as RFC 3339 because
// ReadConnection sets TimeZone = 'UTC'.

#include <string>

namespace hd::db::sql {

// A row of tickets aliased `t`.
inline const std::string kTicketSummary =
    "jsonb_build_object('id', t.id, 'reference', t.reference, 'mailbox', t.mailbox,"
    " 'subject', t.subject, 'status', t.status,"
    " 'requester', jsonb_build_object('address', t.requester_address, 'name', t.requester_name),"
    " 'created_at', t.created_at, 'updated_at', t.updated_at)";

// A row of messages aliased `m`.
inline const std::string kMessageSummary =
    "jsonb_build_object('id', m.id, 'ticket_id', m.ticket_id, 'mailbox', m.mailbox,"
    " 'internet_message_id', m.internet_message_id, 'subject', m.subject,"
    " 'from', jsonb_build_object('address', m.from_address, 'name', m.from_name),"
    " 'classification', m.classification, 'sent_at', m.sent_at, 'received_at', m.received_at,"
    " 'raw_size', m.raw_size)";

// The summary plus addresses, bodies and attachment metadata (never attachment contents).
inline const std::string kMessageDetail =
    "(" + kMessageSummary +
    " || jsonb_build_object('to', m.to_addresses, 'cc', m.cc_addresses,"
    " 'reply_to', m.reply_to_addresses, 'in_reply_to', m.in_reply_to,"
    " 'references', to_jsonb(m.references_), 'body_text', m.body_text,"
    " 'body_text_new', m.body_text_new, 'body_html', m.body_html,"
    " 'decision_reason', m.decision_reason, 'raw_sha256', m.raw_sha256, 'warnings', m.warnings,"
    " 'attachments', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', a.id,"
    "   'filename', a.filename, 'content_type', a.content_type, 'content_id', a.content_id,"
    "   'inline', a.is_inline, 'size', a.size, 'sha256', a.sha256) ORDER BY a.id)"
    "   FROM attachments a WHERE a.message_id = m.id), '[]'::jsonb)))";

}  // namespace hd::db::sql
