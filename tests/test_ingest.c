/*  Ingest, query and publisher actors over real ZeroMQ sockets and a real
    LMDB directory, in one process: what each endpoint answers to good
    and hostile bytes, and when acknowledgements are sent. */
#include "ingest.h"
#include "publisher.h"
#include "query.h"
#include "scorer.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char s_dir[64];
static char s_ingest[128], s_publish[128], s_query[128], s_snapshot[128];
static char s_notify[64], s_batches[64];
static store_t *s_store;
static rules_catalog_t *s_catalog;
static stats_t s_stats;
static publisher_args_t s_pub_args;
static scorer_args_t s_scorer_args;
static ingest_args_t s_ingest_args;
static query_args_t s_query_args;
static zactor_t *s_pub, *s_scorer, *s_ing, *s_qry;

static void
s_setup (void)
{
    snprintf (s_dir, sizeof (s_dir), "/tmp/hotline-ingest-XXXXXX");
    cr_assert_not_null (mkdtemp (s_dir));
    snprintf (s_ingest, sizeof (s_ingest), "ipc://%s/ingest", s_dir);
    snprintf (s_publish, sizeof (s_publish), "ipc://%s/publish", s_dir);
    snprintf (s_query, sizeof (s_query), "ipc://%s/query", s_dir);
    snprintf (s_snapshot, sizeof (s_snapshot), "ipc://%s/snapshot", s_dir);
    snprintf (s_notify, sizeof (s_notify), "inproc://notify-%s", s_dir + 5);
    snprintf (s_batches, sizeof (s_batches), "inproc://batches-%s", s_dir + 5);
    char path[128], err[256];
    snprintf (path, sizeof (path), "%s/data", s_dir);
    s_store = store_new (path, 64 << 20, err);
    cr_assert_not_null (s_store, "%s", err);
    s_catalog = rules_catalog_new (NULL, err);
    cr_assert_not_null (s_catalog, "%s", err);
    memset (&s_stats, 0, sizeof (s_stats));
    s_pub_args = (publisher_args_t){s_publish, s_snapshot, s_notify, s_store,
                                    s_catalog, 1000,       1000,     &s_stats,
                                    false,     NULL,       NULL,     NULL};
    s_scorer_args = (scorer_args_t){s_store,  s_batches, STATE_CLOCK_EVENT,
                                    s_notify, 1000,      &s_stats,
                                    false,    0,         0};
    s_ingest_args =
        (ingest_args_t){s_ingest, s_batches, 4096, &s_stats, false, NULL, NULL};
    s_query_args = (query_args_t){.endpoint = s_query,
                                  .store = s_store,
                                  .catalog = s_catalog,
                                  .clock = "event",
                                  .stats = &s_stats};
    s_pub = zactor_new (publisher_actor, &s_pub_args);
    s_scorer = zactor_new (scorer_actor, &s_scorer_args);
    s_ing = zactor_new (ingest_actor, &s_ingest_args);
    s_qry = zactor_new (query_actor, &s_query_args);
    cr_assert (!s_pub_args.failed && !s_scorer_args.failed &&
               !s_ingest_args.failed && !s_query_args.failed);
    /* One unit to send events for. */
    store_txn_t *txn = store_begin (s_store, true);
    proto_unit_t unit = {"U01", "单位一", "town"};
    size_t added;
    cr_assert_eq (state_units_import (txn, &unit, 1, &added), 0);
    cr_assert_eq (store_commit (&txn), 0);
}

static void
s_teardown (void)
{
    zactor_destroy (&s_qry);
    zactor_destroy (&s_ing);
    zactor_destroy (&s_scorer);
    zactor_destroy (&s_pub);
    store_destroy (&s_store);
    rules_catalog_destroy (&s_catalog);
    testutil_remove_tree (s_dir);
}

TestSuite (ingest, .init = s_setup, .fini = s_teardown, .timeout = 30);
TestSuite (query, .init = s_setup, .fini = s_teardown, .timeout = 30);
TestSuite (publisher, .init = s_setup, .fini = s_teardown, .timeout = 30);

static zsock_t *
s_dealer (const char *endpoint)
{
    zsock_t *sock = zsock_new_dealer (endpoint);
    cr_assert_not_null (sock);
    zsock_set_rcvtimeo (sock, 5000);
    return sock;
}

static void
s_event (proto_event_t *ev, const char *id, proto_type_t type, const char *unit,
         const char *at)
{
    memset (ev, 0, sizeof (*ev));
    snprintf (ev->event_id, sizeof (ev->event_id), "%s", id);
    ev->type = type;
    snprintf (ev->ticket_id, sizeof (ev->ticket_id), "T1");
    snprintf (ev->unit_id, sizeof (ev->unit_id), "%s", unit);
    cr_assert_eq (proto_time_parse (at, &ev->occurred_at), 0);
    if (type == PROTO_RECEIVED) {
        ev->dispatched_at = ev->occurred_at - 600000;
        ev->due_at = ev->occurred_at + 3 * 86400000LL;
        strcpy (ev->channel, "hotline");
        strcpy (ev->category, "property");
    }
}

/* Sends a batch, returns the decoded acknowledgement. */
static void
s_exchange (zsock_t *sock, const proto_event_t *events, size_t count,
            uint64_t id, proto_batch_ack_t *ack)
{
    size_t size;
    uint8_t *bytes = proto_batch_encode (id, events, count, NULL, 0, &size);
    zframe_t *frame = zframe_new (bytes, size);
    free (bytes);
    cr_assert_eq (zframe_send (&frame, sock, 0), 0);
    zframe_t *reply = zframe_recv (sock);
    cr_assert_not_null (reply, "no acknowledgement within 5 s");
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_batch_ack_decode (zframe_data (reply),
                                          zframe_size (reply), ack, reason),
                  0, "%s", reason);
    zframe_destroy (&reply);
}

Test (ingest, answers_garbage_bytes_with_a_reason_and_keeps_serving)
{
    zsock_t *sock = s_dealer (s_ingest);
    zstr_send (sock, "\x0a\xff\xff\xff\xff this is not protobuf");
    zframe_t *reply = zframe_recv (sock);
    cr_assert_not_null (reply);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_batch_ack_decode (zframe_data (reply),
                                          zframe_size (reply), &ack, reason),
                  0);
    cr_expect (!ack.ok);
    cr_expect (strlen (ack.error) > 0);
    proto_batch_ack_free (&ack);
    zframe_destroy (&reply);
    cr_expect_eq (atomic_load (&s_stats.bad_messages), 1);
    /* Still serving. */
    proto_event_t ev;
    s_event (&ev, "e1", PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
    s_exchange (sock, &ev, 1, 7, &ack);
    cr_expect (ack.ok);
    cr_expect_eq (ack.batch_id, 7);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    zsock_destroy (&sock);
}

Test (ingest, acknowledges_an_event_only_once_it_is_committed)
{
    zsock_t *sock = s_dealer (s_ingest);
    proto_event_t ev;
    s_event (&ev, "e1", PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
    proto_batch_ack_t ack;
    s_exchange (sock, &ev, 1, 1, &ack);
    cr_assert_eq (ack.acks[0].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    /* The acknowledgement has arrived: a fresh reader must see the event
       in the log and its id in the de-duplication table. */
    store_txn_t *txn = store_begin (s_store, false);
    uint8_t entry[24]; /* the log seq and the event's digest */
    size_t size = sizeof (entry);
    cr_expect_eq (store_get (txn, STORE_DEDUP, "e1", 2, entry, &size),
                  STORE_OK);
    cr_expect_eq (store_count (txn, STORE_LOG), 1);
    store_abort (&txn);
    zsock_destroy (&sock);
}

Test (ingest, answers_each_event_of_a_batch_stored_duplicate_or_rejected)
{
    zsock_t *sock = s_dealer (s_ingest);
    proto_event_t ev[3];
    s_event (&ev[0], "e1", PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
    s_event (&ev[1], "e2", PROTO_CONTACTED, "U77", "2025-07-01T09:20:00+08:00");
    s_event (&ev[2], "e3", PROTO_CLOSED, "U01", "2025-07-02T09:20:00+08:00");
    proto_batch_ack_t ack;
    s_exchange (sock, ev, 3, 1, &ack);
    cr_assert (ack.ok);
    cr_assert_eq (ack.count, 3);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_STORED);
    cr_expect_eq (ack.acks[1].status, PROTO_ACK_REJECTED);
    cr_expect_str_eq (ack.acks[1].reason, "unknown unit U77");
    cr_expect_eq (ack.acks[2].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    s_exchange (sock, ev, 3, 2, &ack);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_DUPLICATE);
    cr_expect_eq (ack.acks[1].status, PROTO_ACK_REJECTED);
    cr_expect_eq (ack.acks[2].status, PROTO_ACK_DUPLICATE);
    proto_batch_ack_free (&ack);
    cr_expect_eq (atomic_load (&s_stats.events_stored), 2);
    cr_expect_eq (atomic_load (&s_stats.events_duplicate), 2);
    cr_expect_eq (atomic_load (&s_stats.events_rejected), 2);
    zsock_destroy (&sock);
}

Test (ingest, serves_req_clients_with_their_empty_delimiter)
{
    zsock_t *sock = zsock_new_req (s_ingest);
    zsock_set_rcvtimeo (sock, 5000);
    proto_event_t ev;
    s_event (&ev, "e1", PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
    proto_batch_ack_t ack;
    s_exchange (sock, &ev, 1, 3, &ack);
    cr_expect (ack.ok);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    zsock_destroy (&sock);
}

Test (ingest, drops_a_message_with_no_payload_frame_and_counts_it)
{
    /* A ROUTER sees [identity] alone when a peer sends an empty
       multipart... which ZeroMQ cannot; the closest hostile shape is a
       raw empty frame, which must be answered, not crash the daemon. */
    zsock_t *sock = s_dealer (s_ingest);
    zframe_t *empty = zframe_new_empty ();
    zframe_send (&empty, sock, 0);
    zframe_t *reply = zframe_recv (sock);
    cr_assert_not_null (reply);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    /* An empty protobuf is a valid empty batch: answered ok, no events. */
    cr_assert_eq (proto_batch_ack_decode (zframe_data (reply),
                                          zframe_size (reply), &ack, reason),
                  0);
    cr_expect (ack.ok);
    cr_expect_eq (ack.count, 0);
    proto_batch_ack_free (&ack);
    zframe_destroy (&reply);
    zsock_destroy (&sock);
}

Test (query, answers_garbage_and_unknown_rulesets_with_an_error)
{
    zsock_t *sock = s_dealer (s_query);
    zstr_send (sock, "\xff\xff garbage");
    zframe_t *reply = zframe_recv (sock);
    cr_assert_not_null (reply);
    bool ok = true;
    char *error = NULL, *json = NULL;
    cr_assert_eq (proto_reply_decode (zframe_data (reply), zframe_size (reply),
                                      &ok, &error, &json),
                  0);
    cr_expect (!ok);
    cr_expect_not_null (error);
    free (error);
    free (json);
    zframe_destroy (&reply);

    proto_query_t q = {.kind = PROTO_QUERY_REPORT};
    strcpy (q.ruleset, "no-such-scheme");
    strcpy (q.period, "2025-07");
    size_t size;
    uint8_t *bytes = proto_query_encode (&q, &size);
    zframe_t *frame = zframe_new (bytes, size);
    free (bytes);
    zframe_send (&frame, sock, 0);
    reply = zframe_recv (sock);
    cr_assert_not_null (reply);
    cr_assert_eq (proto_reply_decode (zframe_data (reply), zframe_size (reply),
                                      &ok, &error, &json),
                  0);
    cr_expect (!ok);
    cr_expect (error && strstr (error, "unknown ruleset \"no-such-scheme\""),
               "%s", error);
    free (error);
    free (json);
    zframe_destroy (&reply);
    zsock_destroy (&sock);
}

Test (publisher, sends_score_updates_with_increasing_sequence_numbers)
{
    zsock_t *sub = zsock_new_sub (s_publish, "score/jintai-2025/");
    zsock_set_rcvtimeo (sub, 5000);
    zsock_t *sock = s_dealer (s_ingest);
    /* ZeroMQ subscriptions travel asynchronously: send events until the
       subscriber has seen an update, each exchange bounded by its own
       acknowledgement, at most 50 times. */
    proto_event_t ev;
    zmsg_t *msg = NULL;
    zsock_set_rcvtimeo (sub, 100);
    for (int i = 0; i < 50 && !msg; i++) {
        char id[16], ticket[16];
        snprintf (id, sizeof (id), "r%d", i);
        snprintf (ticket, sizeof (ticket), "T%d", i);
        s_event (&ev, id, PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
        strcpy (ev.ticket_id, ticket);
        proto_batch_ack_t ack;
        s_exchange (sock, &ev, 1, (uint64_t)i, &ack);
        proto_batch_ack_free (&ack);
        msg = zmsg_recv (sub);
    }
    cr_assert_not_null (msg, "no score update arrived");
    char *topic = zmsg_popstr (msg);
    cr_expect_str_eq (topic, "score/jintai-2025/U01");
    zframe_t *body = zmsg_pop (msg);
    uint64_t seq1;
    char *name = NULL, *json = NULL;
    cr_assert_eq (proto_publication_decode (zframe_data (body),
                                            zframe_size (body), &seq1, &name,
                                            &json),
                  0);
    cr_expect (strstr (json, "\"period\":\"2025-07\"") != NULL, "%s", json);
    free (topic);
    free (name);
    free (json);
    zframe_destroy (&body);
    zmsg_destroy (&msg);
    /* Closing the ticket changes the unit's items: a newer number. */
    s_event (&ev, "close-1", PROTO_CLOSED, "U01", "2025-07-02T09:10:00+08:00");
    strcpy (ev.ticket_id, "T0");
    proto_batch_ack_t ack;
    s_exchange (sock, &ev, 1, 99, &ack);
    proto_batch_ack_free (&ack);
    zsock_set_rcvtimeo (sub, 5000);
    msg = zmsg_recv (sub);
    cr_assert_not_null (msg);
    topic = zmsg_popstr (msg);
    cr_expect_str_eq (topic, "score/jintai-2025/U01");
    free (topic);
    body = zmsg_pop (msg);
    uint64_t seq2;
    cr_assert_eq (proto_publication_decode (zframe_data (body),
                                            zframe_size (body), &seq2, &name,
                                            &json),
                  0);
    cr_expect_gt (seq2, seq1);
    free (name);
    free (json);
    zframe_destroy (&body);
    zmsg_destroy (&msg);
    zsock_destroy (&sock);
    zsock_destroy (&sub);
}

Test (publisher, publishes_score_updates_for_every_loaded_ruleset)
{
    /* U01 is a town: jintai-2025, jintai-2023 (table "all"), furong-2022
       and fufeng-2024 (quarterly) all list it. */
    zsock_t *sub = zsock_new_sub (s_publish, "score/");
    zsock_t *sock = s_dealer (s_ingest);
    zsock_set_rcvtimeo (sub, 100);
    zhashx_t *seen = zhashx_new ();
    for (int i = 0; i < 50 && zhashx_size (seen) < 4; i++) {
        char id[16], ticket[16];
        snprintf (id, sizeof (id), "m%d", i);
        snprintf (ticket, sizeof (ticket), "M%d", i);
        proto_event_t ev;
        s_event (&ev, id, PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
        strcpy (ev.ticket_id, ticket);
        proto_batch_ack_t ack;
        s_exchange (sock, &ev, 1, (uint64_t)i, &ack);
        proto_batch_ack_free (&ack);
        zmsg_t *msg;
        while ((msg = zmsg_recv (sub))) {
            char *topic = zmsg_popstr (msg);
            zhashx_insert (seen, topic, (void *)"");
            free (topic);
            zmsg_destroy (&msg);
        }
    }
    cr_expect_not_null (zhashx_lookup (seen, "score/jintai-2025/U01"));
    cr_expect_not_null (zhashx_lookup (seen, "score/jintai-2023/U01"));
    cr_expect_not_null (zhashx_lookup (seen, "score/furong-2022/U01"));
    cr_expect_not_null (zhashx_lookup (seen, "score/fufeng-2024/U01"));
    zhashx_destroy (&seen);
    zsock_destroy (&sock);
    zsock_destroy (&sub);
}

/* ---- hostile bytes, hand-encoded protobuf -------------------------------- */

/* A received event whose ticket_id is given raw, in a one-event batch. */
static void
s_hostile_batch (testutil_pb_t *batch, const void *ticket, size_t ticket_size)
{
    int64_t at;
    proto_time_parse ("2025-07-01T09:10:00+08:00", &at);
    batch->size = 0;
    testutil_pb_received (batch, 42, "h1", 2, ticket, ticket_size, at);
}

static void
s_expect_rejected_with (zsock_t *sock, const testutil_pb_t *batch,
                        const char *words)
{
    zframe_t *frame = zframe_new (batch->data, batch->size);
    zframe_send (&frame, sock, 0);
    zframe_t *reply = zframe_recv (sock);
    cr_assert_not_null (reply);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_batch_ack_decode (zframe_data (reply),
                                          zframe_size (reply), &ack, reason),
                  0);
    cr_assert (ack.ok);
    cr_assert_eq (ack.count, 1);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_REJECTED);
    cr_expect (strstr (ack.acks[0].reason, words) != NULL, "%s",
               ack.acks[0].reason);
    proto_batch_ack_free (&ack);
    zframe_destroy (&reply);
}

Test (ingest, rejects_invalid_utf8_and_oversize_fields_with_a_reason)
{
    zsock_t *sock = s_dealer (s_ingest);
    testutil_pb_t batch = {0};
    s_hostile_batch (&batch, "T\xff\xfe", 3);
    s_expect_rejected_with (sock, &batch, "UTF-8");
    char long_id[100];
    memset (long_id, 'x', sizeof (long_id));
    s_hostile_batch (&batch, long_id, sizeof (long_id));
    s_expect_rejected_with (sock, &batch, "longer than 64 bytes");
    /* Refused events are dead letters, counted as invalid. */
    cr_expect_eq (atomic_load (&s_stats.rejected_by[STATE_REJECT_INVALID]), 2);
    /* And a good event still goes in. */
    s_hostile_batch (&batch, "T1", 2);
    zframe_t *frame = zframe_new (batch.data, batch.size);
    zframe_send (&frame, sock, 0);
    zframe_t *reply = zframe_recv (sock);
    cr_assert_not_null (reply);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_batch_ack_decode (zframe_data (reply),
                                          zframe_size (reply), &ack, reason),
                  0);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    zframe_destroy (&reply);
    zsock_destroy (&sock);
    testutil_pb_free (&batch);
}

Test (ingest, drops_a_frame_over_the_size_limit_and_serves_the_next_peer)
{
    /* 65 MiB: past the 64 MiB ZMQ_MAXMSGSIZE of the ingest socket. */
    zsock_t *big = s_dealer (s_ingest);
    size_t size = 65u << 20;
    zframe_t *frame = zframe_new (NULL, size);
    memset (zframe_data (frame), 0x0a, size);
    zframe_send (&frame, big, 0);
    zsock_set_rcvtimeo (big, 500);
    zframe_t *none = zframe_recv (big);
    cr_expect_null (none, "an oversize frame gets no answer");
    zframe_destroy (&none);
    zsock_destroy (&big);
    /* The daemon is still there for everyone else. */
    zsock_t *sock = s_dealer (s_ingest);
    proto_event_t ev;
    s_event (&ev, "after-big", PROTO_RECEIVED, "U01",
             "2025-07-01T09:10:00+08:00");
    proto_batch_ack_t ack;
    s_exchange (sock, &ev, 1, 5, &ack);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    zsock_destroy (&sock);
}

Test (ingest, answers_extra_envelope_frames_without_harm)
{
    /* [junk][payload]: the last frame is the payload, the rest is echoed
       back as envelope. */
    zsock_t *sock = s_dealer (s_ingest);
    proto_event_t ev;
    s_event (&ev, "env-1", PROTO_RECEIVED, "U01", "2025-07-01T09:10:00+08:00");
    size_t size;
    uint8_t *bytes = proto_batch_encode (9, &ev, 1, NULL, 0, &size);
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "junk");
    zmsg_addmem (msg, bytes, size);
    free (bytes);
    zmsg_send (&msg, sock);
    zmsg_t *reply = zmsg_recv (sock);
    cr_assert_not_null (reply);
    cr_assert_eq (zmsg_size (reply), 2);
    char *junk = zmsg_popstr (reply);
    cr_expect_str_eq (junk, "junk");
    free (junk);
    zframe_t *body = zmsg_pop (reply);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_batch_ack_decode (zframe_data (body),
                                          zframe_size (body), &ack, reason),
                  0);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    zframe_destroy (&body);
    zmsg_destroy (&reply);
    zsock_destroy (&sock);
}
