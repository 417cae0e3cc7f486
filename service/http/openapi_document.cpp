#include "service/http/openapi_document.hpp"

namespace hd::service::http {
namespace {

// Kept as a raw string so that the binary serves it without the source tree. Schemas use only:
// type (with "null" in a type list), required, properties, items, enum, $ref, allOf, oneOf.
constexpr std::string_view kDocument = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "helpdesk-ingest API",
    "version": "1",
    "description": "Tickets and messages ingested from support mailboxes. Every /api/v1 request needs 'Authorization: Bearer <token>'. Poll GET /api/v1/events with the 'next' cursor of the previous answer: every ticket.created and message.added is returned exactly once, in order."
  },
  "servers": [{"url": "/"}],
  "security": [{"bearer": []}],
  "paths": {
    "/api/v1/events": {
      "get": {
        "summary": "The event feed, oldest first",
        "parameters": [
          {"name": "after", "in": "query", "schema": {"type": "string"}, "description": "'0' or absent: from the beginning; else the 'next' of an earlier answer (opaque)."},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
          {"name": "wait", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 60, "default": 0}, "description": "Seconds to wait for an event when there is none yet (long poll)."}
        ],
        "responses": {
          "200": {"description": "Events after the cursor", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventPage"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "409": {"description": "The cursor belongs to another database generation (the database was restored or moved since it was handed out): read again from after=0 and skip events already processed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/api/v1/tickets": {
      "get": {
        "summary": "Tickets ordered by id",
        "parameters": [
          {"name": "status", "in": "query", "schema": {"type": "string"}},
          {"name": "mailbox", "in": "query", "schema": {"type": "string"}},
          {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}, "description": "Only tickets with a larger id (use next_after)."},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}
        ],
        "responses": {
          "200": {"description": "A page of tickets", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TicketPage"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/tickets/{id}": {
      "get": {
        "summary": "One ticket with its messages and attachment metadata",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The ticket", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ticket"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/messages/{id}": {
      "get": {
        "summary": "One message",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The message", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/messages/{id}/raw": {
      "get": {
        "summary": "The message's exact bytes as fetched from the mail server",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "RFC 5322 message", "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/attachments/{id}": {
      "get": {
        "summary": "An attachment's content, with its type and a safe Content-Disposition filename",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The content", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/quarantine": {
      "get": {
        "summary": "Messages that could not be parsed or stored",
        "parameters": [
          {"name": "mailbox", "in": "query", "schema": {"type": "string"}},
          {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}
        ],
        "responses": {
          "200": {"description": "A page of entries", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QuarantinePage"}}}},
          "401": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/quarantine/{id}/retry": {
      "post": {
        "summary": "Parse the stored raw bytes again and store the message; the entry is removed in the same transaction (409 when it has no raw bytes, was retried meanwhile, or is a message left on the mail server still over the size limit)",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "Stored (or found stored already)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RetryResult"}}}},
          "202": {"description": "A message left on the mail server as too large, now within the raised limit: the mailbox's next pass fetches and stores it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RetryResult"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "http.api_token may do everything; http.api_read_token may only read (403 on POST)"}},
    "parameters": {
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}
    },
    "responses": {
      "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string"}}
      },
      "Address": {
        "type": "object", "required": ["address", "name"],
        "properties": {"address": {"type": "string"}, "name": {"type": "string"}}
      },
      "TicketSummary": {
        "type": "object",
        "required": ["id", "reference", "mailbox", "subject", "status", "requester", "created_at", "updated_at"],
        "properties": {
          "id": {"type": "integer"}, "reference": {"type": "string"}, "mailbox": {"type": "string"},
          "subject": {"type": "string"}, "status": {"type": "string"},
          "requester": {"$ref": "#/components/schemas/Address"},
          "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}
        }
      },
      "Ticket": {
        "allOf": [
          {"$ref": "#/components/schemas/TicketSummary"},
          {
            "type": "object", "required": ["messages"],
            "properties": {"messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}
          }
        ]
      },
      "MessageSummary": {
        "type": "object",
        "required": ["id", "ticket_id", "mailbox", "internet_message_id", "subject", "from", "classification", "sent_at", "received_at", "raw_size"],
        "properties": {
          "id": {"type": "integer"}, "ticket_id": {"type": ["integer", "null"]}, "mailbox": {"type": "string"},
          "internet_message_id": {"type": "string"}, "subject": {"type": "string"},
          "from": {"$ref": "#/components/schemas/Address"},
          "classification": {"type": "string"},
          "sent_at": {"type": ["string", "null"], "format": "date-time"}, "received_at": {"type": "string", "format": "date-time"},
          "raw_size": {"type": "integer"}
        }
      },
      "Message": {
        "allOf": [
          {"$ref": "#/components/schemas/MessageSummary"},
          {
            "type": "object",
            "required": ["to", "cc", "reply_to", "in_reply_to", "references", "body_text", "body_text_new", "body_html",
                         "decision_reason", "raw_sha256", "warnings", "attachments"],
            "properties": {
              "to": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
              "cc": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
              "reply_to": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
              "in_reply_to": {"type": "string"},
              "references": {"type": "array", "items": {"type": "string"}},
              "body_text": {"type": "string"}, "body_text_new": {"type": ["string", "null"]}, "body_html": {"type": "string"},
              "decision_reason": {"type": "string"}, "raw_sha256": {"type": "string"},
              "warnings": {"type": "array", "items": {"type": "string"}},
              "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}}
            }
          }
        ]
      },
      "Attachment": {
        "type": "object", "required": ["id", "filename", "content_type", "content_id", "inline", "size", "sha256"],
        "properties": {
          "id": {"type": "integer"}, "filename": {"type": "string"}, "content_type": {"type": "string"},
          "content_id": {"type": "string"}, "inline": {"type": "boolean"}, "size": {"type": "integer"}, "sha256": {"type": "string"}
        }
      },
      "Event": {
        "type": "object", "required": ["cursor", "type", "ticket_id", "message_id", "created_at", "ticket", "message"],
        "properties": {
          "cursor": {"type": "string"},
          "type": {"type": "string", "enum": ["ticket.created", "message.added"]},
          "ticket_id": {"type": ["integer", "null"]},
          "message_id": {"type": ["integer", "null"]},
          "created_at": {"type": "string", "format": "date-time"},
          "ticket": {"oneOf": [{"$ref": "#/components/schemas/TicketSummary"}, {"type": "null"}]},
          "message": {"oneOf": [{"$ref": "#/components/schemas/MessageSummary"}, {"type": "null"}]}
        }
      },
      "EventPage": {
        "type": "object", "required": ["events", "next"],
        "properties": {
          "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
          "next": {"type": "string", "description": "Pass as 'after' in the next request; unchanged when no event was returned."}
        }
      },
      "TicketPage": {
        "type": "object", "required": ["tickets", "next_after"],
        "properties": {
          "tickets": {"type": "array", "items": {"$ref": "#/components/schemas/TicketSummary"}},
          "next_after": {"type": ["integer", "null"], "description": "Pass as 'after' for the next page; null on the last page."}
        }
      },
      "QuarantineEntry": {
        "type": "object", "required": ["id", "source_key", "retrying", "mailbox", "error", "attempts", "first_seen", "last_seen", "raw_size"],
        "properties": {
          "id": {"type": "integer"}, "source_key": {"type": "string"}, "retrying": {"type": "boolean", "description": "always false: a retry is one transaction (kept for compatibility)"},
          "mailbox": {"type": "string"}, "error": {"type": "string"}, "attempts": {"type": "integer"},
          "first_seen": {"type": "string", "format": "date-time"}, "last_seen": {"type": "string", "format": "date-time"},
          "raw_size": {"type": ["integer", "null"]},
          "on_server": {"type": "boolean", "description": "Too large to fetch: only the header was kept, the message is left on the mail server"},
          "size": {"type": ["integer", "null"], "description": "Size in bytes of a message left on the server"},
          "fetch_requested": {"type": "boolean", "description": "A retry asked the next pass to fetch it (the limit was raised)"}
        }
      },
      "QuarantinePage": {
        "type": "object", "required": ["entries", "next_after"],
        "properties": {
          "entries": {"type": "array", "items": {"$ref": "#/components/schemas/QuarantineEntry"}},
          "next_after": {"type": ["integer", "null"]}
        }
      },
      "RetryResult": {
        "type": "object", "required": ["result", "source_key", "message_id", "ticket_id", "ticket_created"],
        "properties": {
          "result": {"type": "string", "enum": ["inserted", "already_ingested", "duplicate_content", "fetch_requested"]},
          "source_key": {"type": "string"},
          "message_id": {"type": ["integer", "null"]}, "ticket_id": {"type": ["integer", "null"]},
          "ticket_created": {"type": "boolean"},
          "detail": {"type": "string"}
        }
      }
    }
  }
})json";

}  // namespace

std::string_view openApiDocument() {
  return kDocument;
}

}  // namespace hd::service::http
