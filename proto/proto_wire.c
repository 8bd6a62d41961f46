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
uint8_t *
proto__pack (const ProtobufCMessage *message, size_t *size)
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
   stored, so the event never holds a value its enum cannot name. Zeroed
   first: a decoded event is the same bytes whatever its array held
   before (whole structs are compared, fuzz/fuzz_proto.c). */
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
    buffer = proto__pack (&pb.base, size);

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

/* Converts the unpacked events into `into`, after its count (which it
   leaves as it is). An invalid event does not fail the batch: the sender
   gets a reason for that index and every valid event is still stored. A
   NUL byte cut a string short: the event is refused, and any other text
   of the batch refuses the batch. Returns 0, or -1 with a reason. */
static int
s_batch_events (const Hotline__EventBatch *pb, const proto__scan_t *scan,
                proto_events_t *into, char *reason)
{
    size_t first = into->count;
    for (size_t index = 0; index < pb->n_events; index++) {
        char *why = into->invalid[first + index];
        why[0] = '\0'; /* the array may hold an earlier batch's reason */
        if (s_event_from_pb (pb->events[index], &into->events[first + index],
                             why) != 0 &&
            !why[0])
            proto__reason (why, "invalid event");
    }
    for (size_t n = 0; n < scan->nul_count; n++) {
        const proto__nul_t *nul = &scan->nuls[n];
        if (nul->field == 2 && nul->item < pb->n_events)
            proto__reason (into->invalid[first + nul->item],
                           "%s contains a NUL byte", nul->name);
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
    if (s_batch_events (pb, &scan, into, reason) != 0)
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
    buffer = proto__pack (&pb.base, size);

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
