/*  fuzz_proto: every wire decoder on the same bytes.

    Decoders face any peer on the network. Each must answer 0 or -1, never
    crash, never leak, and hand back only what proto.h promises: validated
    events, terminated UTF-8 strings, in-range enums. What decodes must
    also encode again and decode to the same thing, so a message the
    daemon accepts can always be forwarded or stored unchanged.
*/
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken promise is a finding: say which, then abort so libFuzzer keeps
   the input. */
#define S_CHECK(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "fuzz_proto: %s:%d: check failed: %s\n",          \
                     __FILE__, __LINE__, #cond);                               \
            abort ();                                                          \
        }                                                                      \
    } while (0)

static void
s_check_terminated (const char *text, size_t size)
{
    S_CHECK (memchr (text, '\0', size) != NULL);
}

/* An event that decoded cleanly is valid and survives a wire round trip
   byte for byte (both copies were zeroed by the decoder first). */
static void
s_check_event (const proto_event_t *event)
{
    char reason[PROTO_ERROR_MAX + 1];
    S_CHECK (proto_event_validate (event, reason) == 0);
    size_t size = 0;
    uint8_t *bytes = proto_event_encode (event, &size);
    S_CHECK (bytes);
    proto_event_t again;
    S_CHECK (proto_event_decode (bytes, size, &again, reason) == 0);
    S_CHECK (memcmp (event, &again, sizeof again) == 0);
    free (bytes);
}

static void
s_fuzz_batch (const uint8_t *data, size_t size)
{
    char reason[PROTO_ERROR_MAX + 1];
    proto_batch_t batch;
    int rc = proto_batch_decode (data, size, &batch, reason);
    S_CHECK (rc == 0 || rc == -1);
    if (rc) {
        s_check_terminated (reason, sizeof reason);
        S_CHECK (batch.events == NULL && batch.count == 0);
        return;
    }
    for (size_t index = 0; index < batch.count; index++) {
        s_check_terminated (batch.invalid[index], sizeof batch.invalid[index]);
        if (batch.invalid[index][0] == '\0')
            s_check_event (&batch.events[index]);
    }
    size_t packed = 0;
    uint8_t *bytes =
        proto_batch_encode (batch.batch_id, batch.events, batch.count,
                            batch.rejects, batch.reject_count, &packed);
    S_CHECK (bytes);
    proto_batch_t again;
    S_CHECK (proto_batch_decode (bytes, packed, &again, reason) == 0);
    S_CHECK (again.batch_id == batch.batch_id);
    S_CHECK (again.count == batch.count);
    S_CHECK (again.reject_count == batch.reject_count);
    for (size_t index = 0; index < batch.count; index++)
        if (batch.invalid[index][0] == '\0')
            S_CHECK (memcmp (&batch.events[index], &again.events[index],
                             sizeof again.events[index]) == 0);
    for (size_t index = 0; index < batch.reject_count; index++) {
        S_CHECK (again.rejects[index].line == batch.rejects[index].line);
        S_CHECK (strcmp (again.rejects[index].reason,
                         batch.rejects[index].reason) == 0);
    }
    free (bytes);
    proto_batch_free (&again);
    proto_batch_free (&batch);
    S_CHECK (batch.events == NULL && batch.count == 0);
}

static void
s_fuzz_event (const uint8_t *data, size_t size)
{
    char reason[PROTO_ERROR_MAX + 1];
    proto_event_t event;
    int rc = proto_event_decode (data, size, &event, reason);
    S_CHECK (rc == 0 || rc == -1);
    if (rc == 0)
        s_check_event (&event);
    else
        s_check_terminated (reason, sizeof reason);
}

static void
s_fuzz_batch_ack (const uint8_t *data, size_t size)
{
    char reason[PROTO_ERROR_MAX + 1];
    proto_batch_ack_t ack;
    int rc = proto_batch_ack_decode (data, size, &ack, reason);
    S_CHECK (rc == 0 || rc == -1);
    if (rc) {
        s_check_terminated (reason, sizeof reason);
        S_CHECK (ack.acks == NULL && ack.count == 0);
        return;
    }
    s_check_terminated (ack.error, sizeof ack.error);
    for (size_t index = 0; index < ack.count; index++) {
        S_CHECK (ack.acks[index].status >= PROTO_ACK_STORED &&
                 ack.acks[index].status <= PROTO_ACK_REJECTED);
        s_check_terminated (ack.acks[index].reason,
                            sizeof ack.acks[index].reason);
    }
    size_t packed = 0;
    uint8_t *bytes = proto_batch_ack_encode (&ack, &packed);
    S_CHECK (bytes);
    proto_batch_ack_t again;
    S_CHECK (proto_batch_ack_decode (bytes, packed, &again, reason) == 0);
    S_CHECK (again.batch_id == ack.batch_id && again.ok == ack.ok);
    S_CHECK (strcmp (again.error, ack.error) == 0);
    S_CHECK (again.count == ack.count);
    for (size_t index = 0; index < ack.count; index++) {
        S_CHECK (again.acks[index].status == ack.acks[index].status);
        S_CHECK (strcmp (again.acks[index].reason, ack.acks[index].reason) ==
                 0);
    }
    free (bytes);
    proto_batch_ack_free (&again);
    proto_batch_ack_free (&ack);
}

static void
s_fuzz_query (const uint8_t *data, size_t size)
{
    char reason[PROTO_ERROR_MAX + 1];
    proto_query_t query;
    int rc = proto_query_decode (data, size, &query, reason);
    S_CHECK (rc == 0 || rc == -1);
    if (rc) {
        s_check_terminated (reason, sizeof reason);
        S_CHECK (query.units == NULL && query.unit_count == 0);
        return;
    }
    //  Only the lower bound: new kinds are appended to the enum, and the
    //  round trip below checks the kind survives whatever it is.
    S_CHECK (query.kind >= PROTO_QUERY_REPORT);
    S_CHECK (query.as_of == 0 ||
             (query.as_of >= PROTO_TIME_MIN && query.as_of < PROTO_TIME_MAX));
    size_t packed = 0;
    uint8_t *bytes = proto_query_encode (&query, &packed);
    S_CHECK (bytes);
    proto_query_t again;
    S_CHECK (proto_query_decode (bytes, packed, &again, reason) == 0);
    S_CHECK (again.kind == query.kind && again.as_of == query.as_of);
    S_CHECK (strcmp (again.ruleset, query.ruleset) == 0);
    S_CHECK (strcmp (again.period, query.period) == 0);
    S_CHECK (again.unit_count == query.unit_count);
    for (size_t index = 0; index < query.unit_count; index++) {
        const proto_unit_t *a = &query.units[index];
        const proto_unit_t *b = &again.units[index];
        S_CHECK (strcmp (a->unit_id, b->unit_id) == 0);
        S_CHECK (strcmp (a->name, b->name) == 0);
        S_CHECK (strcmp (a->group, b->group) == 0);
    }
    free (bytes);
    proto_query_free (&again);
    proto_query_free (&query);
}

static void
s_fuzz_reply (const uint8_t *data, size_t size)
{
    bool ok = false;
    char *error = NULL, *json = NULL;
    int rc = proto_reply_decode (data, size, &ok, &error, &json);
    S_CHECK (rc == 0 || rc == -1);
    if (rc) {
        S_CHECK (error == NULL && json == NULL);
        return;
    }
    //  Empty strings decode as NULL, so the round trip is exact.
    size_t packed = 0;
    uint8_t *bytes = proto_reply_encode (ok, error, json, &packed);
    S_CHECK (bytes);
    bool ok2 = !ok;
    char *error2 = NULL, *json2 = NULL;
    S_CHECK (proto_reply_decode (bytes, packed, &ok2, &error2, &json2) == 0);
    S_CHECK (ok2 == ok);
    S_CHECK ((error == NULL) == (error2 == NULL));
    S_CHECK (!error || strcmp (error, error2) == 0);
    S_CHECK ((json == NULL) == (json2 == NULL));
    S_CHECK (!json || strcmp (json, json2) == 0);
    free (bytes);
    free (error);
    free (json);
    free (error2);
    free (json2);

    //  Callers may pass NULL for what they do not want.
    rc = proto_reply_decode (data, size, NULL, NULL, NULL);
    S_CHECK (rc == 0);
}

static void
s_fuzz_publication (const uint8_t *data, size_t size)
{
    uint64_t sequence = 0;
    char *topic = NULL, *json = NULL;
    int rc = proto_publication_decode (data, size, &sequence, &topic, &json);
    S_CHECK (rc == 0 || rc == -1);
    if (rc) {
        S_CHECK (topic == NULL && json == NULL);
        return;
    }
    S_CHECK (topic && json);
    size_t packed = 0;
    uint8_t *bytes = proto_publication_encode (sequence, topic, json, &packed);
    S_CHECK (bytes);
    uint64_t sequence2 = 0;
    char *topic2 = NULL, *json2 = NULL;
    S_CHECK (proto_publication_decode (bytes, packed, &sequence2, &topic2,
                                       &json2) == 0);
    S_CHECK (sequence2 == sequence);
    S_CHECK (strcmp (topic, topic2) == 0 && strcmp (json, json2) == 0);
    free (bytes);
    free (topic);
    free (json);
    free (topic2);
    free (json2);

    rc = proto_publication_decode (data, size, NULL, NULL, NULL);
    S_CHECK (rc == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_fuzz_batch (data, size);
    s_fuzz_event (data, size);
    s_fuzz_batch_ack (data, size);
    s_fuzz_query (data, size);
    s_fuzz_reply (data, size);
    s_fuzz_publication (data, size);
    return 0;
}
