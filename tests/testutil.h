/*  testutil: small helpers the test suites share. */
#ifndef TESTUTIL_H_INCLUDED
#define TESTUTIL_H_INCLUDED

/* Removes a file or a directory tree (what a test's temporary directory
   holds: LMDB files, sockets, logs). Missing paths are fine. */
void testutil_remove_tree (const char *path);

#include <stddef.h>
#include <stdint.h>

/* A protobuf message written by hand, for hostile bytes the encoders
   would never make: a buffer that grows as fields are appended. */
typedef struct {
    uint8_t *data;   /* the bytes (malloc'd) */
    size_t size;     /* used */
    size_t capacity; /* allocated */
} testutil_pb_t;

/* Appends a varint; a length-delimited field; a varint field. */
void testutil_pb_varint (testutil_pb_t *pb, uint64_t value);
void testutil_pb_bytes (testutil_pb_t *pb, int field, const void *bytes,
                        size_t size);
void testutil_pb_int (testutil_pb_t *pb, int field, uint64_t value);
/* Appends a varint field whose value takes ten bytes whatever it is (a
   legal, if wasteful, encoding); a 64-bit fixed field (a double). */
void testutil_pb_padded (testutil_pb_t *pb, int field, uint64_t value);
void testutil_pb_fixed64 (testutil_pb_t *pb, int field, uint64_t bits);
/* Appends to `batch` (an EventBatch) a batch_id and one `received`
   event of unit U01 at `at` (ms), with its event_id and ticket_id given
   raw (any bytes), dispatched ten minutes before and due a day after. */
void testutil_pb_received (testutil_pb_t *batch, uint64_t batch_id,
                           const void *id, size_t id_size, const void *ticket,
                           size_t ticket_size, int64_t at);
/* Frees the bytes and empties the message. */
void testutil_pb_free (testutil_pb_t *pb);

#endif
