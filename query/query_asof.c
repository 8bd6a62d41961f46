/*  query_asof: reports, and the thread that builds reports as of an
    earlier moment (query_internal.h).

    A report as of a moment before the daemon's clock replays the event
    log up to that moment (report_json, state_replay): a pass over the
    log, seconds on a large store. The query actor hands such requests to
    this worker as they came (the client's envelope and the request) and
    goes on answering the others; the worker answers on its pipe with
    the envelope and the reply, which the actor sends to the client. One
    worker: as-of reports are built one at a time, in the order asked,
    on the machine's second core, with their own read transaction. */
#include "query_internal.h"

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
query__report (query_args_t *args, const proto_query_t *q, char *err)
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
    char *json = txn ? report_json (txn, rs, q->period, q->as_of, err) : NULL;
    store_abort (&txn);
    return json;
}

bool
query__is_as_of (const proto_query_t *q)
{
    return q->kind == PROTO_QUERY_REPORT && q->as_of && !q->published;
}

/* Builds the reply to one handed-over request: [envelope..., request]
   becomes [envelope..., reply] and goes back on the pipe. */
static void
s_answer (zsock_t *pipe, query_args_t *args, zmsg_t *msg)
{
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    char err[256] = "";
    char *json = NULL;
    proto_query_t q;
    if (proto_query_decode (zframe_data (payload), zframe_size (payload), &q,
                            err) == 0) {
        json = query__report (args, &q, err);
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

void
query__asof_actor (zsock_t *pipe, void *args)
{
    zsock_signal (pipe, 0);
    while (true) {
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
        s_answer (pipe, args, msg);
    }
}
