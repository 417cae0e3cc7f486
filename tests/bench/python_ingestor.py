#!/usr/bin/env python3
"""Issue 10's yardstick, run by wire_bench beside our --once passes: the small Python ingestor the
issue measured against (imaplib + email + psycopg2, one commit per 50 messages). It stores less
than the service: a ticket, or a follow-up found by In-Reply-To, and a message row with the text
body; no raw bytes, no attachment contents, no quarantine. Not part of the product.

    python_ingestor.py HOST PORT CA_FILE USER PASSWORD DATABASE_URL

Prints the number of messages stored.
"""
import email
import email.policy
import imaplib
import re
import ssl
import sys

import psycopg2

SCHEMA = """
CREATE TABLE IF NOT EXISTS py_tickets (
  id bigserial PRIMARY KEY, subject text NOT NULL, requester text NOT NULL);
CREATE TABLE IF NOT EXISTS py_messages (
  id bigserial PRIMARY KEY, ticket_id bigint NOT NULL REFERENCES py_tickets,
  uid bigint NOT NULL UNIQUE, message_id text NOT NULL, subject text NOT NULL,
  sender text NOT NULL, body text NOT NULL);
CREATE INDEX IF NOT EXISTS py_messages_message_id ON py_messages (message_id);
"""
COMMIT_EVERY = 50


def text_body(message):
    part = message.get_body(preferencelist=("plain", "html"))
    try:
        return part.get_content() if part is not None else ""
    except (LookupError, ValueError):
        return ""


def store(cursor, uid, message):
    message_id = (message["Message-ID"] or "").strip("<> ")
    in_reply_to = (message["In-Reply-To"] or "").strip("<> ")
    subject, sender = str(message["Subject"] or ""), str(message["From"] or "")
    ticket = None
    if in_reply_to:
        cursor.execute("SELECT ticket_id FROM py_messages WHERE message_id = %s LIMIT 1",
                       (in_reply_to,))
        row = cursor.fetchone()
        ticket = row[0] if row else None
    if ticket is None:
        cursor.execute("INSERT INTO py_tickets (subject, requester) VALUES (%s, %s) RETURNING id",
                       (subject, sender))
        ticket = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO py_messages (ticket_id, uid, message_id, subject, sender, body)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (ticket, uid, message_id, subject, sender, text_body(message).replace("\x00", "")))


def main():
    host, port, ca_file, user, password, dsn = sys.argv[1:7]
    imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=ssl.create_default_context(cafile=ca_file))
    imap.login(user, password)
    imap.select("INBOX")
    database = psycopg2.connect(dsn)
    cursor = database.cursor()
    cursor.execute(SCHEMA)
    database.commit()
    uids = imap.uid("SEARCH", None, "ALL")[1][0].split()
    stored = 0
    for first in range(0, len(uids), COMMIT_EVERY):
        window = b",".join(uids[first:first + COMMIT_EVERY])
        for item in imap.uid("FETCH", window, "(BODY.PEEK[])")[1]:
            if not isinstance(item, tuple):
                continue
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            store(cursor, uid, email.message_from_bytes(item[1], policy=email.policy.default))
            stored += 1
        database.commit()
        imap.uid("STORE", window, "+FLAGS.SILENT", r"(\Seen)")
    imap.logout()
    print(stored)


if __name__ == "__main__":
    main()
