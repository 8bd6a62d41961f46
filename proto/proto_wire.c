/*  proto_wire: the protobuf wire format (proto.h, hotline.proto).

    Decoders face bytes from any peer on the network, so nothing in a
    message is trusted: protobuf-c rejects malformed framing, and every
    string, enum and count it hands back is checked here before it reaches
    a proto_*_t. protobuf-c's types never leave this file.
*/
#include "proto_internal.h"
#include "hotline.pb-c.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Repeated fields are counted on the wire before protobuf-c unpacks a
   frame (proto_scan.c): protobuf-c allocates for every occurrence, so a
   frame of empty items would cost eighty times its size. */

//  ---------------------------------------------------------------------
//  Wire helpers

/* Packs any message into a fresh buffer. An empty message packs to zero
   bytes; the buffer is still allocated so NULL only ever means OOM. */
static uint8_t *
s_pack (const ProtobufCMessage *message, size_t *size)
{
    size_t packed = protobuf_c_message_get_packed_size (message);
    uint8_t *buffer = malloc (packed ? packed : 1);
    if (!buffer)
        return NULL;
    protobuf_c_message_pack (message, buffer);
    if (size)
        *size = packed;
    return buffer;
}

/* A bump allocator for one unpack: protobuf-c allocates every event and
   every string apart, then frees them one by one; here they come from a
   few blocks, all released at once (free_unpacked is not needed). The
   first block fits a frame's usual unpacked size; later ones follow. */
typedef struct s_block_t {
    struct s_block_t *next; /* the block before */
    size_t used, size;      /* bytes of data taken, and in all */
    max_align_t data[];     /* what is handed out */
} s_block_t;

typedef struct {
    ProtobufCAllocator allocator; /* handed to unpack */
    s_block_t *blocks;            /* the newest first */
    size_t next_size;             /* the next block's data bytes */
} s_arena_t;

#define ARENA_BLOCK (64 * 1024)

static void *
s_arena_alloc (void *data, size_t size)
{
    s_arena_t *arena = data;
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    s_block_t *block = arena->blocks;
    if (!block || block->size - block->used < size) {
        size_t room = size > arena->next_size ? size : arena->next_size;
        block = malloc (sizeof *block + room);
        if (!block)
            return NULL;
        *block = (s_block_t){.next = arena->blocks, .used = 0, .size = room};
        arena->blocks = block;
        arena->next_size = ARENA_BLOCK;
    }
    void *at = (char *)block->data + block->used;
    block->used += size;
    return at;
}

static void
s_arena_free (void *data, void *pointer)
{
    (void)data;
    (void)pointer; /* released with the arena */
}

/* An unpacked event takes its struct, a pointer and its strings: about
   twice its wire bytes and a little. */
static void
s_arena_init (s_arena_t *arena, size_t frame_size)
{
    *arena = (s_arena_t){{s_arena_alloc, s_arena_free, NULL}, NULL, 0};
    arena->allocator.allocator_data = arena;
    arena->next_size =
        frame_size < SIZE_MAX / 4 ? 2 * frame_size + 4096 : ARENA_BLOCK;
}

static void
s_arena_release (s_arena_t *arena)
{
    while (arena->blocks) {
        s_block_t *next = arena->blocks->next;
        free (arena->blocks);
        arena->blocks = next;
    }
}

/* Records the first failure only: the first reason is the one to report,
   while later fields are still copied so an invalid event keeps its id. */
static void
s_copy (char *dest, size_t dest_size, const char *source, const char *field,
        int *rc, char *reason)
{
    if (proto__copy_field (dest, dest_size, source, field, *rc ? NULL : reason))
        *rc = -1;
}

/* Points the message at the event's own strings: packing only reads them,
   so nothing is copied and nothing needs freeing afterwards. */
static void
s_event_to_pb (const proto_event_t *event, Hotline__Event *pb)
{
    hotline__event__init (pb);
    pb->event_id = (char *)event->event_id;
    pb->type = (Hotline__EventType)event->type;
    pb->ticket_id = (char *)event->ticket_id;
    pb->unit_id = (char *)event->unit_id;
    pb->occurred_at = event->occurred_at;
    pb->dispatched_at = event->dispatched_at;
    pb->due_at = event->due_at;
    pb->time_limit = (char *)event->time_limit;
    pb->channel = (char *)event->channel;
    pb->category = (char *)event->category;
    pb->key_supervision = event->key_supervision;
    pb->repeat_dispatch = event->repeat_dispatch;
    pb->reason = (char *)event->reason;
    pb->satisfaction = (Hotline__Satisfaction)event->satisfaction;
    pb->resolved = (Hotline__Resolved)event->resolved;
    pb->rework = event->rework;
    pb->period = (char *)event->period;
    pb->item = (char *)event->item;
    pb->value = event->value;
    pb->by = (char *)event->by;
    pb->counters = (char *)event->counters;
}

/* Converts and validates. Enum values are range-checked before they are
   stored, so the event never holds a value its enum cannot name. */
static int
s_event_from_pb (const Hotline__Event *pb, proto_event_t *event, char *reason)
{
    memset (event, 0, sizeof *event);
    int rc = 0;
    s_copy (event->event_id, sizeof event->event_id, pb->event_id, "event_id",
            &rc, reason);
    s_copy (event->ticket_id, sizeof event->ticket_id, pb->ticket_id,
            "ticket_id", &rc, reason);
    s_copy (event->unit_id, sizeof event->unit_id, pb->unit_id, "unit_id", &rc,
            reason);
    s_copy (event->channel, sizeof event->channel, pb->channel, "channel", &rc,
            reason);
    s_copy (event->category, sizeof event->category, pb->category, "category",
            &rc, reason);
    s_copy (event->reason, sizeof event->reason, pb->reason, "reason", &rc,
            reason);
    s_copy (event->period, sizeof event->period, pb->period, "period", &rc,
            reason);
    s_copy (event->item, sizeof event->item, pb->item, "item", &rc, reason);
    s_copy (event->by, sizeof event->by, pb->by, "by", &rc, reason);
    s_copy (event->counters, sizeof event->counters, pb->counters, "counters",
            &rc, reason);
    s_copy (event->time_limit, sizeof event->time_limit, pb->time_limit,
            "time_limit", &rc, reason);
    event->occurred_at = pb->occurred_at;
    event->dispatched_at = pb->dispatched_at;
    event->due_at = pb->due_at;
    event->key_supervision = pb->key_supervision != 0;
    event->repeat_dispatch = pb->repeat_dispatch != 0;
    event->rework = pb->rework != 0;
    event->value = pb->value;

    int type = (int)pb->type;
    if (type >= PROTO_NONE && type <= PROTO_TYPE_LAST)
        event->type = (proto_type_t)type;
    else if (!rc) {
        proto__reason (reason, "unknown type");
        rc = -1;
    }
    int satisfaction = (int)pb->satisfaction;
    if (satisfaction >= PROTO_SAT_NONE_GIVEN && satisfaction <= PROTO_SAT_NONE)
        event->satisfaction = (proto_satisfaction_t)satisfaction;
    else if (!rc) {
        proto__reason (reason, "unknown satisfaction");
        rc = -1;
    }
    int resolved = (int)pb->resolved;
    if (resolved >= PROTO_RES_NONE_GIVEN && resolved <= PROTO_RES_NO)
        event->resolved = (proto_resolved_t)resolved;
    else if (!rc) {
        proto__reason (reason, "unknown resolved");
        rc = -1;
    }
    if (rc)
        return -1;
    return proto__event_check (event, reason); /* the strings are checked */
}

//  ---------------------------------------------------------------------
//  Single events (the event log's record format)

/* Every string of an event is shorter than its array and its length
   takes at most two bytes; each of the other fields at most a two-byte
   tag and a ten-byte varint: PROTO_EVENT_WIRE_MAX holds 32 fields. The
   packer writes without measuring first. */
size_t
proto_event_pack (const proto_event_t *event, uint8_t *buffer)
{
    Hotline__Event pb;
    s_event_to_pb (event, &pb);
    return protobuf_c_message_pack (&pb.base, buffer);
}

uint8_t *
proto_event_encode (const proto_event_t *event, size_t *size)
{
    if (!event)
        return NULL;
    uint8_t packed[PROTO_EVENT_WIRE_MAX];
    size_t length = proto_event_pack (event, packed);
    uint8_t *buffer = malloc (length ? length : 1);
    if (!buffer)
        return NULL;
    memcpy (buffer, packed, length);
    if (size)
        *size = length;
    return buffer;
}

int
proto_event_decode (const uint8_t *data, size_t size, proto_event_t *event,
                    char *reason)
{
    if (!event || (!data && size)) {
        proto__reason (reason, "no event");
        return -1;
    }
    Hotline__Event *pb = hotline__event__unpack (NULL, size, data);
    if (!pb) {
        memset (event, 0, sizeof *event);
        proto__reason (reason, "not a valid Event message");
        return -1;
    }
    int rc = s_event_from_pb (pb, event, reason);
    hotline__event__free_unpacked (pb, NULL);
    return rc;
}

//  ---------------------------------------------------------------------
//  Event batches

uint8_t *
proto_batch_encode (uint64_t batch_id, const proto_event_t *events,
                    size_t count, const proto_line_reject_t *rejects,
                    size_t reject_count, size_t *size)
{
    uint8_t *buffer = NULL;
    Hotline__Event *pb_events = calloc (count ? count : 1, sizeof *pb_events);
    Hotline__Event **event_ptrs =
        calloc (count ? count : 1, sizeof *event_ptrs);
    Hotline__LineReject *pb_rejects =
        calloc (reject_count ? reject_count : 1, sizeof *pb_rejects);
    Hotline__LineReject **reject_ptrs =
        calloc (reject_count ? reject_count : 1, sizeof *reject_ptrs);
    if (!pb_events || !event_ptrs || !pb_rejects || !reject_ptrs)
        goto cleanup;

    for (size_t index = 0; index < count; index++) {
        s_event_to_pb (&events[index], &pb_events[index]);
        event_ptrs[index] = &pb_events[index];
    }
    for (size_t index = 0; index < reject_count; index++) {
        hotline__line_reject__init (&pb_rejects[index]);
        pb_rejects[index].line = rejects[index].line;
        pb_rejects[index].reason = (char *)rejects[index].reason;
        reject_ptrs[index] = &pb_rejects[index];
    }
    Hotline__EventBatch pb = HOTLINE__EVENT_BATCH__INIT;
    pb.batch_id = batch_id;
    pb.n_events = count;
    pb.events = event_ptrs;
    pb.n_client_rejects = reject_count;
    pb.client_rejects = reject_ptrs;
    buffer = s_pack (&pb.base, size);

cleanup:
    free (pb_events);
    free (event_ptrs);
    free (pb_rejects);
    free (reject_ptrs);
    return buffer;
}

/* Room for `more` events after into->count. Grows by doubling at
   least, so a reused array soon stops growing. */
static int
s_events_room (proto_events_t *into, size_t more)
{
    size_t need = into->count + more;
    if (need <= into->capacity)
        return 0;
    size_t capacity = into->capacity * 2 > need ? into->capacity * 2 : need;
    proto_event_t *events = realloc (into->events, capacity * sizeof *events);
    if (!events)
        return -1;
    into->events = events;
    char (*invalid)[PROTO_ERROR_MAX + 1] =
        realloc (into->invalid, capacity * sizeof *invalid);
    if (!invalid)
        return -1;
    into->invalid = invalid;
    into->capacity = capacity;
    return 0;
}

/* Converts the unpacked events into `events` and `invalid`. An invalid
   event does not fail the batch: the sender gets a reason for that index
   and every valid event is still stored. A NUL byte cut a string short:
   the event is refused, and any other text of the batch refuses the
   batch. Returns 0, or -1 with a reason. */
static int
s_batch_events (const Hotline__EventBatch *pb, const proto__scan_t *scan,
                proto_event_t *events, char (*invalid)[PROTO_ERROR_MAX + 1],
                char *reason)
{
    for (size_t index = 0; index < pb->n_events; index++) {
        if (s_event_from_pb (pb->events[index], &events[index],
                             invalid[index]) == 0)
            invalid[index][0] = '\0';
        else if (!invalid[index][0])
            proto__reason (invalid[index], "invalid event");
    }
    for (size_t n = 0; n < scan->nul_count; n++) {
        const proto__nul_t *nul = &scan->nuls[n];
        if (nul->field == 2 && nul->item < pb->n_events)
            proto__reason (invalid[nul->item], "%s contains a NUL byte",
                           nul->name);
        else {
            proto__reason (reason, "%s contains a NUL byte", nul->name);
            return -1;
        }
    }
    return 0;
}

int
proto_batch_append (const uint8_t *data, size_t size, proto_batch_t *batch,
                    proto_events_t *into, char *reason)
{
    if (batch)
        memset (batch, 0, sizeof *batch);
    if (!batch || !into || (!data && size)) {
        proto__reason (reason, "no batch");
        return -1;
    }
    proto__scan_t scan;
    if (proto__scan_batch (data, size, &scan, reason) != 0)
        return -1;
    s_arena_t arena;
    s_arena_init (&arena, size);
    Hotline__EventBatch *pb =
        hotline__event_batch__unpack (&arena.allocator, size, data);
    int rc = -1;
    if (!pb) {
        proto__reason (reason, "not a valid EventBatch message");
        goto cleanup;
    }
    if (s_events_room (into, pb->n_events) != 0 ||
        (pb->n_client_rejects &&
         !(batch->rejects =
               calloc (pb->n_client_rejects, sizeof *batch->rejects)))) {
        proto__reason (reason, "out of memory");
        goto cleanup;
    }
    batch->batch_id = pb->batch_id;
    batch->count = pb->n_events;
    batch->reject_count = pb->n_client_rejects;
    if (s_batch_events (pb, &scan, into->events + into->count,
                        into->invalid + into->count, reason) != 0)
        goto cleanup;
    for (size_t index = 0; index < batch->reject_count; index++) {
        batch->rejects[index].line = pb->client_rejects[index]->line;
        if (proto__copy_field (batch->rejects[index].reason,
                               sizeof batch->rejects[index].reason,
                               pb->client_rejects[index]->reason,
                               "client_rejects reason", reason))
            goto cleanup;
    }
    into->count += batch->count;
    rc = 0;

cleanup:
    if (rc)
        proto_batch_free (batch);
    s_arena_release (&arena); /* all that unpack allocated */
    proto__scan_free (&scan);
    return rc;
}

int
proto_batch_decode (const uint8_t *data, size_t size, proto_batch_t *batch,
                    char *reason)
{
    proto_events_t own = {0};
    int rc = proto_batch_append (data, size, batch, &own, reason);
    if (rc == 0) {
        batch->events = own.events;
        batch->invalid = own.invalid;
    } else
        proto_events_free (&own);
    return rc;
}

void
proto_events_free (proto_events_t *events)
{
    if (!events)
        return;
    free (events->events);
    free (events->invalid);
    memset (events, 0, sizeof *events);
}

void
proto_batch_free (proto_batch_t *batch)
{
    if (!batch)
        return;
    free (batch->events);
    free (batch->invalid);
    free (batch->rejects);
    memset (batch, 0, sizeof *batch);
}

//  ---------------------------------------------------------------------
//  Batch acknowledgements

uint8_t *
proto_batch_ack_encode (const proto_batch_ack_t *ack, size_t *size)
{
    if (!ack)
        return NULL;
    uint8_t *buffer = NULL;
    size_t count = ack->count;
    Hotline__EventAck *pb_acks = calloc (count ? count : 1, sizeof *pb_acks);
    Hotline__EventAck **ack_ptrs = calloc (count ? count : 1, sizeof *ack_ptrs);
    if (!pb_acks || !ack_ptrs)
        goto cleanup;
    for (size_t index = 0; index < count; index++) {
        hotline__event_ack__init (&pb_acks[index]);
        pb_acks[index].index = (uint32_t)index;
        pb_acks[index].status = (Hotline__AckStatus)ack->acks[index].status;
        pb_acks[index].reason = (char *)ack->acks[index].reason;
        ack_ptrs[index] = &pb_acks[index];
    }
    Hotline__BatchAck pb = HOTLINE__BATCH_ACK__INIT;
    pb.batch_id = ack->batch_id;
    pb.ok = ack->ok;
    pb.error = (char *)ack->error;
    pb.n_acks = count;
    pb.acks = ack_ptrs;
    buffer = s_pack (&pb.base, size);

cleanup:
    free (pb_acks);
    free (ack_ptrs);
    return buffer;
}

int
proto_batch_ack_decode (const uint8_t *data, size_t size,
                        proto_batch_ack_t *ack, char *reason)
{
    if (ack)
        memset (ack, 0, sizeof *ack);
    if (!ack || (!data && size)) {
        proto__reason (reason, "no ack");
        return -1;
    }
    Hotline__BatchAck *pb = hotline__batch_ack__unpack (NULL, size, data);
    if (!pb) {
        proto__reason (reason, "not a valid BatchAck message");
        return -1;
    }
    int rc = -1;
    if (pb->n_acks > PROTO_BATCH_MAX) {
        proto__reason (reason, "ack of more than %d events", PROTO_BATCH_MAX);
        goto cleanup;
    }
    ack->batch_id = pb->batch_id;
    ack->ok = pb->ok != 0;
    if (proto__copy_field (ack->error, sizeof ack->error, pb->error, "error",
                           reason))
        goto cleanup;
    if (pb->n_acks) {
        ack->acks = calloc (pb->n_acks, sizeof *ack->acks);
        if (!ack->acks) {
            proto__reason (reason, "out of memory");
            goto cleanup;
        }
    }
    ack->count = pb->n_acks;
    //  Senders match answers to events by position, so an ack list that is
    //  out of order is refused rather than silently misattributed.
    for (size_t index = 0; index < ack->count; index++) {
        const Hotline__EventAck *pb_ack = pb->acks[index];
        if (pb_ack->index != index) {
            proto__reason (reason, "ack index %u out of order",
                           (unsigned)pb_ack->index);
            goto cleanup;
        }
        int status = (int)pb_ack->status;
        if (status < PROTO_ACK_STORED || status > PROTO_ACK_REJECTED) {
            proto__reason (reason, "unknown ack status");
            goto cleanup;
        }
        ack->acks[index].status = (proto_ack_status_t)status;
        if (proto__copy_field (ack->acks[index].reason,
                               sizeof ack->acks[index].reason, pb_ack->reason,
                               "ack reason", reason))
            goto cleanup;
    }
    rc = 0;

cleanup:
    if (rc)
        proto_batch_ack_free (ack);
    hotline__batch_ack__free_unpacked (pb, NULL);
    return rc;
}

void
proto_batch_ack_free (proto_batch_ack_t *ack)
{
    if (!ack)
        return;
    free (ack->acks);
    memset (ack, 0, sizeof *ack);
}

//  ---------------------------------------------------------------------
//  Queries

uint8_t *
proto_query_encode (const proto_query_t *query, size_t *size)
{
    if (!query)
        return NULL;
    uint8_t *buffer = NULL;
    size_t count = query->unit_count;
    Hotline__Unit *pb_units = calloc (count ? count : 1, sizeof *pb_units);
    Hotline__Unit **unit_ptrs = calloc (count ? count : 1, sizeof *unit_ptrs);
    if (!pb_units || !unit_ptrs)
        goto cleanup;
    for (size_t index = 0; index < count; index++) {
        hotline__unit__init (&pb_units[index]);
        pb_units[index].unit_id = (char *)query->units[index].unit_id;
        pb_units[index].name = (char *)query->units[index].name;
        pb_units[index].group = (char *)query->units[index].group;
        unit_ptrs[index] = &pb_units[index];
    }
    Hotline__QueryRequest pb = HOTLINE__QUERY_REQUEST__INIT;
    pb.kind = (Hotline__QueryKind)query->kind;
    pb.ruleset = (char *)query->ruleset;
    pb.period = (char *)query->period;
    pb.as_of = query->as_of;
    pb.limit = query->limit;
    pb.unit = (char *)query->unit;
    pb.item = (char *)query->item;
    pb.ticket = (char *)query->ticket;
    pb.topic = (char *)query->topic;
    pb.state = (char *)query->state;
    pb.note = (char *)query->note;
    pb.force = query->force;
    pb.published = query->published;
    pb.version = query->version;
    pb.year = query->year;
    pb.body.data = (uint8_t *)query->body;
    pb.body.len = query->body ? query->body_size : 0;
    pb.n_units = count;
    pb.units = unit_ptrs;
    buffer = s_pack (&pb.base, size);

cleanup:
    free (pb_units);
    free (unit_ptrs);
    return buffer;
}

int
proto_query_decode (const uint8_t *data, size_t size, proto_query_t *query,
                    char *reason)
{
    if (query)
        memset (query, 0, sizeof *query);
    if (!query || (!data && size)) {
        proto__reason (reason, "no query");
        return -1;
    }
    proto__scan_t scan;
    if (proto__scan_query (data, size, &scan, reason) != 0)
        return -1;
    Hotline__QueryRequest *pb =
        hotline__query_request__unpack (NULL, size, data);
    if (!pb) {
        proto__scan_free (&scan);
        proto__reason (reason, "not a valid QueryRequest message");
        return -1;
    }
    int rc = -1;
    if (scan.nul_count) {
        const proto__nul_t *nul = &scan.nuls[0];
        if (nul->field)
            proto__reason (reason, "unit %zu: %s contains a NUL byte",
                           nul->item + 1, nul->name);
        else
            proto__reason (reason, "%s contains a NUL byte", nul->name);
        goto cleanup;
    }
    int kind = (int)pb->kind;
    if (kind < PROTO_QUERY_REPORT || kind > PROTO_QUERY_LAST) {
        proto__reason (reason, "unknown query kind");
        goto cleanup;
    }
    query->kind = (proto_query_kind_t)kind;
    if (proto__copy_field (query->ruleset, sizeof query->ruleset, pb->ruleset,
                           "ruleset", reason) ||
        proto__copy_field (query->period, sizeof query->period, pb->period,
                           "period", reason) ||
        proto__copy_field (query->unit, sizeof query->unit, pb->unit, "unit",
                           reason) ||
        proto__copy_field (query->item, sizeof query->item, pb->item, "item",
                           reason) ||
        proto__copy_field (query->ticket, sizeof query->ticket, pb->ticket,
                           "ticket", reason) ||
        proto__copy_field (query->topic, sizeof query->topic, pb->topic,
                           "topic", reason) ||
        proto__copy_field (query->state, sizeof query->state, pb->state,
                           "state", reason) ||
        proto__copy_field (query->note, sizeof query->note, pb->note, "note",
                           reason))
        goto cleanup;
    query->force = pb->force != 0;
    query->published = pb->published != 0;
    query->version = pb->version;
    //  Zero means "now"; anything else must be a time events could have.
    if (pb->as_of != 0 &&
        (pb->as_of < PROTO_TIME_MIN || pb->as_of >= PROTO_TIME_MAX)) {
        proto__reason (reason, "as_of out of range");
        goto cleanup;
    }
    query->as_of = pb->as_of;
    query->limit = pb->limit;
    query->year = pb->year;
    if (pb->body.len > PROTO_BODY_MAX) {
        proto__reason (reason, "a body of more than %d bytes", PROTO_BODY_MAX);
        goto cleanup;
    }
    if (pb->body.len) {
        /* NUL-terminated for readers of text; the size says how much. */
        char *body = malloc (pb->body.len + 1);
        if (!body) {
            proto__reason (reason, "out of memory");
            goto cleanup;
        }
        memcpy (body, pb->body.data, pb->body.len);
        body[pb->body.len] = 0;
        query->body = body;
        query->body_size = pb->body.len;
    }
    if (pb->n_units) {
        query->units = calloc (pb->n_units, sizeof *query->units);
        if (!query->units) {
            proto__reason (reason, "out of memory");
            goto cleanup;
        }
    }
    query->unit_count = pb->n_units;
    for (size_t index = 0; index < query->unit_count; index++) {
        const Hotline__Unit *pb_unit = pb->units[index];
        proto_unit_t *unit = &query->units[index];
        if (proto__copy_field (unit->unit_id, sizeof unit->unit_id,
                               pb_unit->unit_id, "unit_id", reason) ||
            proto__copy_field (unit->name, sizeof unit->name, pb_unit->name,
                               "name", reason) ||
            proto__copy_field (unit->group, sizeof unit->group, pb_unit->group,
                               "group", reason))
            goto cleanup;
    }
    rc = 0;

cleanup:
    if (rc)
        proto_query_free (query);
    hotline__query_request__free_unpacked (pb, NULL);
    proto__scan_free (&scan);
    return rc;
}

void
proto_query_free (proto_query_t *query)
{
    if (!query)
        return;
    free (query->units);
    free ((char *)query->body);
    memset (query, 0, sizeof *query);
}

//  ---------------------------------------------------------------------
//  Replies and publications

/* Duplicates a decoded string after checking it is UTF-8. With
   `empty_is_null` an empty string becomes NULL (absent). */
static int
s_dup_string (const char *source, bool empty_is_null, char **dest)
{
    *dest = NULL;
    if (!source)
        source = "";
    size_t length = strlen (source);
    if (!proto__utf8_valid (source, length))
        return -1;
    if (length == 0 && empty_is_null)
        return 0;
    *dest = strdup (source);
    return *dest ? 0 : -1;
}

uint8_t *
proto_reply_encode (bool ok, const char *error, const char *json, size_t *size)
{
    Hotline__QueryReply pb = HOTLINE__QUERY_REPLY__INIT;
    pb.ok = ok;
    pb.error = (char *)(error ? error : "");
    pb.json = (char *)(json ? json : "");
    return s_pack (&pb.base, size);
}

int
proto_reply_decode (const uint8_t *data, size_t size, bool *ok, char **error,
                    char **json)
{
    char *error_copy = NULL;
    char *json_copy = NULL;
    if (error)
        *error = NULL;
    if (json)
        *json = NULL;
    if (!data && size)
        return -1;
    Hotline__QueryReply *pb = hotline__query_reply__unpack (NULL, size, data);
    if (!pb)
        return -1;
    int rc = -1;
    if (s_dup_string (pb->error, true, &error_copy) ||
        s_dup_string (pb->json, true, &json_copy))
        goto cleanup;
    if (ok)
        *ok = pb->ok != 0;
    if (error) {
        *error = error_copy;
        error_copy = NULL;
    }
    if (json) {
        *json = json_copy;
        json_copy = NULL;
    }
    rc = 0;

cleanup:
    free (error_copy);
    free (json_copy);
    hotline__query_reply__free_unpacked (pb, NULL);
    return rc;
}

uint8_t *
proto_publication_encode (uint64_t sequence, const char *topic,
                          const char *json, size_t *size)
{
    Hotline__Publication pb = HOTLINE__PUBLICATION__INIT;
    pb.sequence = sequence;
    pb.topic = (char *)(topic ? topic : "");
    pb.json = (char *)(json ? json : "");
    return s_pack (&pb.base, size);
}

int
proto_publication_decode (const uint8_t *data, size_t size, uint64_t *sequence,
                          char **topic, char **json)
{
    char *topic_copy = NULL;
    char *json_copy = NULL;
    if (topic)
        *topic = NULL;
    if (json)
        *json = NULL;
    if (!data && size)
        return -1;
    Hotline__Publication *pb = hotline__publication__unpack (NULL, size, data);
    if (!pb)
        return -1;
    int rc = -1;
    //  Topic and body are never NULL on success, even when empty, so a
    //  subscriber can print them without checking.
    if (s_dup_string (pb->topic, false, &topic_copy) ||
        s_dup_string (pb->json, false, &json_copy))
        goto cleanup;
    if (sequence)
        *sequence = pb->sequence;
    if (topic) {
        *topic = topic_copy;
        topic_copy = NULL;
    }
    if (json) {
        *json = json_copy;
        json_copy = NULL;
    }
    rc = 0;

cleanup:
    free (topic_copy);
    free (json_copy);
    hotline__publication__free_unpacked (pb, NULL);
    return rc;
}
