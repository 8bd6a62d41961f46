/*  query_asof: reports, and the thread that builds reports as of an
    earlier moment (query_internal.h).

    A report as of a moment before the daemon's clock is the replay of
    the event log up to that moment; the worker keeps replays and
    continues the nearest (asof.h), where a replay from the start takes
    seconds on a large store. The query actor hands such requests to
    this worker as they came (the client's envelope and the request) and
    goes on answering the others; the worker answers on its pipe with
    the envelope and the reply, which the actor sends to the client. One
    worker: as-of reports are built one at a time, in the order asked,
    on the machine's second core, with their own read transaction. */
#include "query_internal.h"

#include "asof.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const rules_ruleset_t *
query__ruleset (query_args_t *args, const char *id, char *err)
{
    const rules_ruleset_t *rs =
        rules_set_find (rules_catalog_current (args->catalog), id);
    if (!rs)
        snprintf (err, 256,
                  "unknown ruleset \"%s\" (hotline rulesets lists them)", id);
    return rs;
}

char *
query__report (query_args_t *args, asof_t *asof, const proto_query_t *q,
               char *err)
{
    if (q->published) {
        /* Stored bytes: no ruleset needed, reloads change nothing. */
        store_txn_t *txn = store_begin (args->store, false);
        char *json =
            txn ? report_published (txn, q->ruleset, q->period, q->version, err)
                : NULL;
        if (!txn)
            snprintf (err, 256, "cannot read the store");
        store_abort (&txn);
        return json;
    }
    const rules_ruleset_t *rs = query__ruleset (args, q->ruleset, err);
    if (!rs)
        return NULL;
    store_txn_t *txn = store_begin (args->store, false);
    if (!txn)
        snprintf (err, 256, "cannot read the store");
    char *json = !txn   ? NULL
                 : asof ? asof_report (asof, txn, rs, q->period, q->as_of, err)
                        : report_json (txn, rs, q->period, q->as_of, err);
    store_abort (&txn);
    return json;
}

bool
query__is_as_of (const proto_query_t *q)
{
    return q->kind == PROTO_QUERY_REPORT && q->as_of && !q->published;
}

/* Tells the daemon's stats what the worker keeps. */
static void
s_publish (stats_t *st, asof_t *asof)
{
    asof_info_t info;
    asof_info (asof, &info);
    atomic_store (&st->asof_reports, info.reports);
    atomic_store (&st->asof_events_applied, info.events);
    atomic_store (&st->asof_replayed_to, info.head);
    atomic_store (&st->asof_checkpoints, info.checkpoints);
    atomic_store (&st->asof_checkpoint_bytes, info.bytes);
    atomic_store (&st->asof_spacing, info.spacing);
    atomic_store (&st->asof_late_events, info.late);
}

/* Builds the reply to one handed-over request: [envelope..., request]
   becomes [envelope..., reply] and goes back on the pipe. */
static void
s_answer (zsock_t *pipe, query_args_t *args, asof_t *asof, zmsg_t *msg)
{
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    char err[256] = "";
    char *json = NULL;
    proto_query_t q;
    if (proto_query_decode (zframe_data (payload), zframe_size (payload), &q,
                            err) == 0) {
        json = query__report (args, asof, &q, err);
        if (asof)
            s_publish (args->stats, asof);
        proto_query_free (&q);
    }
    zframe_destroy (&payload);
    /* Out of memory: no reply, as the actor's own answers. */
    query__reply (&msg, json, err, pipe);
}

int
query__reply (zmsg_t **msg_p, char *json, const char *err, void *to)
{
    size_t size;
    uint8_t *reply =
        proto_reply_encode (json != NULL, json ? NULL : err, json, &size);
    free (json);
    if (!reply) {
        zmsg_destroy (msg_p);
        return -1;
    }
    zmsg_addmem (*msg_p, reply, size);
    free (reply);
    int rc = zmsg_send (msg_p, to);
    zmsg_destroy (msg_p);
    return rc;
}

/* Between reports the worker brings its replays towards the log's end
   (asof_follow), FOLLOW_SLICE events at a time, one slice between two
   reports: a report waits at most one slice, and the head moves on under
   a stream of them. When the head is at the end it looks again every
   FOLLOW_MS. It pauses while the daemon stores more than FOLLOW_BUSY
   events a second: following a burst would take a core from the ingest
   (a checkpoint copies the replay's whole state every asof_spacing
   events). */
#define FOLLOW_MS    5000
#define FOLLOW_SLICE 4096
#define FOLLOW_BUSY  4000

/* Whether the daemon is storing events fast: the rate over the last
   second or more. */
typedef struct {
    uint64_t stored; /* events_stored at `since` */
    int64_t since;   /* ms, monotonic */
    bool busy;       /* the last rate measured was above FOLLOW_BUSY */
} s_load_t;

static bool
s_busy (s_load_t *load, stats_t *st)
{
    int64_t now = zclock_mono ();
    if (now - load->since >= 1000) {
        uint64_t stored = atomic_load (&st->events_stored);
        load->busy = (stored - load->stored) * 1000 >
                     (uint64_t)(now - load->since) * FOLLOW_BUSY;
        load->stored = stored;
        load->since = now;
    }
    return load->busy;
}

/* One slice of following: true when the head is still behind. */
static bool
s_follow_slice (query_args_t *self, asof_t *asof)
{
    store_txn_t *txn = asof ? store_begin (self->store, false) : NULL;
    char err[256] = "";
    int rc = txn ? asof_follow (asof, txn, FOLLOW_SLICE, err) : 0;
    store_abort (&txn);
    if (rc < 0)
        zsys_warning ("query: as-of checkpoints dropped: %s (until there is "
                      "room under $TMPDIR, reports as of a moment replay the "
                      "log from its start; see asof_budget_mb)",
                      err);
    if (asof)
        s_publish (self->stats, asof);
    return rc > 0;
}

void
query__asof_actor (zsock_t *pipe, void *args)
{
    /* Its replays live as long as the worker (scratch stores); without
       them (out of memory) each report replays the log from the start. */
    query_args_t *self = args;
    /* A daemon killed before it removed its replays left them there. */
    size_t swept = store_scratch_sweep ();
    if (swept)
        zsys_info ("query: removed %zu scratch stores under $TMPDIR left by "
                   "processes that ended",
                   swept);
    asof_t *asof = asof_new (
        self->asof_spacing ? self->asof_spacing : ASOF_SPACING,
        self->asof_checkpoints ? self->asof_checkpoints : ASOF_CHECKPOINTS,
        (uint64_t)(self->asof_budget_mb ? self->asof_budget_mb : ASOF_BUDGET_MB)
            << 20);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (poller, true); /* the query actor stops it ($TERM) */
    s_load_t load = {atomic_load (&self->stats->events_stored), zclock_mono (),
                     false};
    bool behind = false; /* the head is behind the log's end */
    zsock_signal (pipe, 0);
    while (poller) {
        /* A slice between two reports, however many wait: the head keeps
           moving under a stream of them. */
        bool busy = s_busy (&load, self->stats);
        if (behind && !busy)
            behind = s_follow_slice (self, asof);
        if (!zpoller_wait (poller, behind && !busy ? 0 : FOLLOW_MS)) {
            /* czmq (on zmq_poll) calls a poll that a signal interrupted
               "terminated". Stop signals go to main alone (hotlined.c
               blocks them elsewhere): the query actor's $TERM ends it. */
            if (zpoller_terminated (poller) && errno != EINTR)
                break;
            /* Idle: look for events stored meanwhile. */
            if (!behind && !s_busy (&load, self->stats))
                behind = s_follow_slice (self, asof);
            continue;
        }
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg)
            break;
        if (zmsg_size (msg) == 1) {
            char *command = zmsg_popstr (msg);
            bool term = command && strcmp (command, "$TERM") == 0;
            free (command);
            zmsg_destroy (&msg);
            if (term)
                break;
            continue;
        }
        s_answer (pipe, args, asof, msg);
        behind = true; /* the report may have started the replays */
    }
    zpoller_destroy (&poller);
    asof_destroy (&asof);
}
