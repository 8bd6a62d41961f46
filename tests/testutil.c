/*  testutil: see testutil.h. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
testutil_remove_tree (const char *path)
{
    struct stat st;
    if (lstat (path, &st) != 0)
        return;
    if (S_ISDIR (st.st_mode)) {
        DIR *dir = opendir (path);
        if (dir) {
            struct dirent *e;
            while ((e = readdir (dir))) {
                if (strcmp (e->d_name, ".") == 0 ||
                    strcmp (e->d_name, "..") == 0)
                    continue;
                char child[1024];
                snprintf (child, sizeof (child), "%s/%s", path, e->d_name);
                testutil_remove_tree (child);
            }
            closedir (dir);
        }
        rmdir (path);
    } else
        unlink (path);
}

static void
s_pb_reserve (testutil_pb_t *pb, size_t more)
{
    if (pb->size + more <= pb->capacity)
        return;
    size_t capacity = pb->capacity ? pb->capacity : 256;
    while (capacity < pb->size + more)
        capacity *= 2;
    uint8_t *data = realloc (pb->data, capacity);
    if (!data)
        abort ();
    pb->data = data;
    pb->capacity = capacity;
}

void
testutil_pb_varint (testutil_pb_t *pb, uint64_t value)
{
    s_pb_reserve (pb, 10);
    while (value >= 0x80) {
        pb->data[pb->size++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    pb->data[pb->size++] = (uint8_t)value;
}

void
testutil_pb_bytes (testutil_pb_t *pb, int field, const void *bytes, size_t size)
{
    testutil_pb_varint (pb, (uint64_t)field << 3 | 2);
    testutil_pb_varint (pb, size);
    s_pb_reserve (pb, size);
    if (size)
        memcpy (pb->data + pb->size, bytes, size);
    pb->size += size;
}

void
testutil_pb_int (testutil_pb_t *pb, int field, uint64_t value)
{
    testutil_pb_varint (pb, (uint64_t)field << 3);
    testutil_pb_varint (pb, value);
}

void
testutil_pb_padded (testutil_pb_t *pb, int field, uint64_t value)
{
    testutil_pb_varint (pb, (uint64_t)field << 3);
    s_pb_reserve (pb, 10);
    for (int i = 0; i < 9; i++, value >>= 7)
        pb->data[pb->size++] = (uint8_t)(value | 0x80);
    pb->data[pb->size++] = (uint8_t)(value & 0x01);
}

void
testutil_pb_fixed64 (testutil_pb_t *pb, int field, uint64_t bits)
{
    testutil_pb_varint (pb, (uint64_t)field << 3 | 1);
    s_pb_reserve (pb, 8);
    for (int i = 0; i < 8; i++, bits >>= 8)
        pb->data[pb->size++] = (uint8_t)bits;
}

void
testutil_pb_free (testutil_pb_t *pb)
{
    free (pb->data);
    pb->data = NULL;
    pb->size = pb->capacity = 0;
}

void
testutil_pb_received (testutil_pb_t *batch, uint64_t batch_id, const void *id,
                      size_t id_size, const void *ticket, size_t ticket_size,
                      int64_t at)
{
    testutil_pb_t event = {0};
    testutil_pb_bytes (&event, 1, id, id_size);
    testutil_pb_int (&event, 2, 1); /* RECEIVED */
    testutil_pb_bytes (&event, 3, ticket, ticket_size);
    testutil_pb_bytes (&event, 4, "U01", 3);
    testutil_pb_int (&event, 5, (uint64_t)at);
    testutil_pb_int (&event, 6, (uint64_t)(at - 600000));
    testutil_pb_int (&event, 7, (uint64_t)(at + 86400000));
    testutil_pb_bytes (&event, 8, "hotline", 7);
    testutil_pb_bytes (&event, 9, "other", 5);
    testutil_pb_int (batch, 1, batch_id);
    testutil_pb_bytes (batch, 2, event.data, event.size);
    testutil_pb_free (&event);
}
