/*  proto: helpers shared by the files of the proto module only.

    Nothing here may leak protobuf-c or cJSON types; the files that need
    them include those headers themselves (proto__pack names a message
    only by a pointer to an incomplete struct).
*/
#ifndef PROTO_INTERNAL_H_INCLUDED
#define PROTO_INTERNAL_H_INCLUDED

#include "proto.h"

/* Writes a formatted rejection reason into `reason` (PROTO_ERROR_MAX bytes
   including the terminator). A NULL `reason` is allowed and ignored, so
   callers that only want the verdict need not provide a buffer. */
void proto__reason (char *reason, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

/* True when the `size` bytes at `text` are well-formed UTF-8: no overlong
   forms, no surrogates, nothing above U+10FFFF. */
bool proto__utf8_valid (const char *text, size_t size);

/* Copies the NUL-terminated `source` into `dest` (`dest_size` bytes with
   room for the terminator). A NULL source copies as empty. Rejects, never
   truncates: returns -1 with a reason naming `field` when the value does not
   fit or is not UTF-8, leaving `dest` empty. */
int proto__copy_field (char *dest, size_t dest_size, const char *source,
                       const char *field, char *reason);

/* Packs a protobuf-c message into a fresh buffer (proto_wire.c); an
   empty message still gets one, so NULL only ever means out of memory. */
struct ProtobufCMessage;
uint8_t *proto__pack (const struct ProtobufCMessage *message, size_t *size);

/* proto_event_validate without checking the strings: for an event whose
   strings were all copied with proto__copy_field, which checked them. */
int proto__event_check (const proto_event_t *event, char *reason);

/*  Frames checked before protobuf-c unpacks them (proto_wire.c).       */

/* Fields of one message besides the limited repeated ones: twice the
   fields a message has, and room for fields added later. */
#define PROTO__TAGS_MAX 64

/* A string field holding a NUL byte: the top-level repeated field it is
   in (0: the top message itself), the occurrence, the string's name. */
typedef struct {
    uint32_t field;   /* top-level field number, or 0 */
    size_t item;      /* occurrence of that field */
    const char *name; /* the string field (static) */
} proto__nul_t;

/* What a scan found. */
typedef struct {
    proto__nul_t *nuls;  /* string fields with a NUL, in frame order */
    size_t nul_count;    /* how many */
    size_t nul_capacity; /* allocated */
} proto__scan_t;

/* Walks an EventBatch or QueryRequest frame without allocating for its
   fields: the repeated messages within PROTO_BATCH_MAX /
   PROTO_REJECTS_MAX / PROTO_UNITS_MAX, other fields within
   PROTO__TAGS_MAX per message, framing sound. Returns 0 with the NULs
   found in *scan (free it with proto__scan_free), or -1 with a reason
   ("more than 10000 events"...) and nothing to free. */
int proto__scan_batch (const uint8_t *data, size_t size, proto__scan_t *scan,
                       char *reason);
int proto__scan_query (const uint8_t *data, size_t size, proto__scan_t *scan,
                       char *reason);
void proto__scan_free (proto__scan_t *scan);

#endif
