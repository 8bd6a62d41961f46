/*  send_one: a program outside the tree, built against the installed
    libhotline-client (scripts/test-package.sh):

        cc send_one.c $(pkg-config --cflags --libs hotline-client)

    It sends one `received` event for UNIT to the ingest ENDPOINT and
    requires the daemon to acknowledge it as stored; then sends the same
    event again and requires "duplicate" (the daemon de-duplicates by
    event_id). Anything else, or no answer within 10 s, is a failure:
    exit status 1 with the reason on standard error. */
#include <hotline/client.h>

#include <stdio.h>
#include <string.h>

/* What the outcome callback saw. */
typedef struct {
    int calls;        /* outcomes reported */
    int status;       /* the last one's status */
    char reason[256]; /* and its reason */
} s_outcome_t;

static void
s_outcome (void *arg, uint32_t tag, int status, const char *reason)
{
    s_outcome_t *seen = arg;
    (void)tag;
    seen->calls++;
    seen->status = status;
    snprintf (seen->reason, sizeof (seen->reason), "%s", reason ? reason : "");
}

static const char *
s_status_name (int status)
{
    switch (status) {
    case PROTO_ACK_STORED:
        return "stored";
    case PROTO_ACK_DUPLICATE:
        return "duplicate";
    case PROTO_ACK_REJECTED:
        return "rejected";
    default:
        return "not acknowledged";
    }
}

/* Sends `event` once and waits for its outcome. Returns 0 when it is
   `expected`, else 1 after a message. */
static int
s_send (const char *endpoint, const proto_event_t *event, int expected)
{
    s_outcome_t seen = {0, -1, ""};
    char err[256] = "";
    client_sender_t *sender =
        client_sender_new (endpoint, 1, 1, 10000, s_outcome, &seen, err);
    if (!sender) {
        fprintf (stderr, "send_one: %s\n", err);
        return 1;
    }
    int rc = client_sender_add (sender, event, 1);
    if (rc == 0)
        rc = client_sender_flush (sender);
    client_sender_destroy (&sender);
    if (rc != 0 || seen.calls != 1 || seen.status != expected) {
        fprintf (stderr,
                 "send_one: event %s: expected %s, got %s (%d outcomes)%s%s\n",
                 event->event_id, s_status_name (expected),
                 s_status_name (seen.status), seen.calls,
                 *seen.reason ? ": " : "", seen.reason);
        return 1;
    }
    printf ("send_one: event %s %s\n", event->event_id,
            s_status_name (seen.status));
    return 0;
}

int
main (int argc, char *argv[])
{
    if (argc != 3) {
        fprintf (stderr, "usage: send_one ENDPOINT UNIT\n");
        return 2;
    }
    char line[512], reason[PROTO_ERROR_MAX + 1];
    snprintf (line, sizeof (line),
              "{\"event_id\":\"send-one-1\",\"type\":\"received\","
              "\"ticket_id\":\"SEND-ONE-1\",\"unit_id\":\"%s\","
              "\"occurred_at\":\"2025-07-31T12:10:00+08:00\","
              "\"dispatched_at\":\"2025-07-31T12:00:00+08:00\","
              "\"due_at\":\"2025-08-05T18:00:00+08:00\","
              "\"channel\":\"hotline\",\"category\":\"other\"}",
              argv[2]);
    proto_event_t event;
    if (proto_event_from_json (line, strlen (line), &event, reason) != 0) {
        fprintf (stderr, "send_one: the event does not parse: %s\n", reason);
        return 1;
    }
    if (s_send (argv[1], &event, PROTO_ACK_STORED) != 0 ||
        s_send (argv[1], &event, PROTO_ACK_DUPLICATE) != 0)
        return 1;
    return 0;
}
