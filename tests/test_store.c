/*  Tests for the store module: tables, transactions, cursors and limits.

    Every test gets a fresh temporary directory (mkdtemp) holding the LMDB
    environment in a subdirectory the store creates itself; the teardown
    removes the whole tree.
*/
#include "testutil.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

static char s_root[64];  /* the test's temporary directory */
static char s_path[128]; /* the store's directory inside it */
static store_t *s_store; /* opened by the fixture */

static void
s_setup (void)
{
    snprintf (s_root, sizeof (s_root), "/tmp/hl_test_store_XXXXXX");
    cr_assert_not_null (mkdtemp (s_root), "mkdtemp: %s", strerror (errno));
    snprintf (s_path, sizeof (s_path), "%s/db", s_root);
    char err[256] = "";
    s_store = store_new (s_path, 0, err);
    cr_assert_not_null (s_store, "store_new: %s", err);
}

static void
s_teardown (void)
{
    store_destroy (&s_store);
    testutil_remove_tree (s_root);
}

TestSuite (store, .init = s_setup, .fini = s_teardown);

/* Closes and opens the fixture's store again. */
static void
s_reopen (void)
{
    store_destroy (&s_store);
    char err[256] = "";
    s_store = store_new (s_path, 0, err);
    cr_assert_not_null (s_store, "reopen: %s", err);
}

static store_txn_t *
s_begin (bool write)
{
    store_txn_t *txn = store_begin (s_store, write);
    cr_assert_not_null (txn);
    return txn;
}

static void
s_commit (store_txn_t **txn_p)
{
    int rc = store_commit (txn_p);
    cr_assert_eq (rc, STORE_OK, "commit: %s", store_strerror (rc));
    cr_assert_null (*txn_p);
}

static void
s_put_str (store_txn_t *txn, store_table_t table, const char *key,
           const char *value)
{
    int rc = store_put (txn, table, key, strlen (key), value, strlen (value));
    cr_assert_eq (rc, STORE_OK, "put %s: %s", key, store_strerror (rc));
}

/* Reads a string value; returns the store code, the text in buf. */
static int
s_get_str (store_txn_t *txn, store_table_t table, const char *key, char *buf,
           size_t capacity)
{
    size_t size = capacity - 1;
    int rc = store_get (txn, table, key, strlen (key), buf, &size);
    buf[rc == STORE_OK ? size : 0] = 0;
    return rc;
}

Test (store, creates_its_directory_when_opened)
{
    struct stat st;
    cr_assert_eq (stat (s_path, &st), 0);
    cr_assert (S_ISDIR (st.st_mode));
    char data[256];
    snprintf (data, sizeof (data), "%s/data.mdb", s_path);
    cr_assert_eq (stat (data, &st), 0, "no data.mdb in %s", s_path);
}

Test (store, opens_an_existing_directory_again)
{
    store_destroy (&s_store);
    cr_assert_null (s_store, "store_destroy nulls the pointer");
    store_destroy (&s_store); /* idempotent */
    store_destroy (NULL);     /* NULL-safe */
    s_reopen ();
}

Test (store, get_of_a_missing_key_is_not_found)
{
    store_txn_t *txn = s_begin (false);
    char buf[16];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_TICKETS, "nope", 4, buf, &size),
                  STORE_NOTFOUND);
    store_abort (&txn);
    cr_assert_null (txn);
}

Test (store, put_then_get_returns_the_same_bytes)
{
    store_txn_t *txn = s_begin (true);
    const uint8_t value[5] = {0, 1, 2, 0, 255};
    cr_assert_eq (store_put (txn, STORE_TICKETS, "T1", 2, value, 5), STORE_OK);
    uint8_t buf[16];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_TICKETS, "T1", 2, buf, &size),
                  STORE_OK);
    cr_assert_eq (size, 5);
    cr_assert_arr_eq (buf, value, 5);
    /* A put replaces the previous value. */
    s_put_str (txn, STORE_TICKETS, "T1", "second");
    char text[16];
    cr_assert_eq (s_get_str (txn, STORE_TICKETS, "T1", text, sizeof (text)),
                  STORE_OK);
    cr_assert_str_eq (text, "second");
    s_commit (&txn);
}

Test (store, tables_are_separate_key_spaces)
{
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_TICKETS, "K", "ticket");
    s_put_str (txn, STORE_UNITS, "K", "unit");
    char text[16];
    s_get_str (txn, STORE_TICKETS, "K", text, sizeof (text));
    cr_assert_str_eq (text, "ticket");
    s_get_str (txn, STORE_UNITS, "K", text, sizeof (text));
    cr_assert_str_eq (text, "unit");
    cr_assert_eq (s_get_str (txn, STORE_DEDUP, "K", text, sizeof (text)),
                  STORE_NOTFOUND);
    s_commit (&txn);
}

Test (store, get_into_a_small_buffer_is_too_big_and_reports_the_size)
{
    store_txn_t *txn = s_begin (true);
    char value[100];
    memset (value, 'x', sizeof (value));
    cr_assert_eq (store_put (txn, STORE_TICKETS, "T1", 2, value, 100),
                  STORE_OK);
    char buf[10];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_TICKETS, "T1", 2, buf, &size),
                  STORE_TOOBIG);
    cr_assert_eq (size, 100, "size is the length needed");
    /* With the size it asked for, the read succeeds. */
    char big[100];
    cr_assert_eq (store_get (txn, STORE_TICKETS, "T1", 2, big, &size),
                  STORE_OK);
    cr_assert_eq (size, 100);
    store_abort (&txn);
}

Test (store, put_new_refuses_an_existing_key_and_keeps_its_value)
{
    store_txn_t *txn = s_begin (true);
    cr_assert_eq (store_put_new (txn, STORE_DEDUP, "e1", 2, "first", 5),
                  STORE_OK);
    cr_assert_eq (store_put_new (txn, STORE_DEDUP, "e1", 2, "second", 6), 1);
    char text[16];
    s_get_str (txn, STORE_DEDUP, "e1", text, sizeof (text));
    cr_assert_str_eq (text, "first");
    s_commit (&txn);
    txn = s_begin (true);
    cr_assert_eq (store_put_new (txn, STORE_DEDUP, "e1", 2, "third", 5), 1);
    s_get_str (txn, STORE_DEDUP, "e1", text, sizeof (text));
    cr_assert_str_eq (text, "first");
    store_abort (&txn);
}

Test (store, put_append_writes_growing_keys_and_refuses_one_out_of_order)
{
    store_txn_t *txn = s_begin (true);
    char last[8];
    size_t size = sizeof (last);
    cr_assert_eq (store_last (txn, STORE_TRAIL, last, &size), STORE_NOTFOUND);
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "k2", 2, "b", 1),
                  STORE_OK);
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "k3", 2, "c", 1),
                  STORE_OK);
    /* Not after the last key: nothing is written, nothing replaced. */
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "k1", 2, "a", 1), 1);
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "k3", 2, "x", 1), 1);
    s_commit (&txn);
    txn = s_begin (true);
    char text[16];
    cr_assert_eq (s_get_str (txn, STORE_TRAIL, "k1", text, sizeof (text)),
                  STORE_NOTFOUND);
    s_get_str (txn, STORE_TRAIL, "k3", text, sizeof (text));
    cr_assert_str_eq (text, "c");
    cr_assert_eq (store_count (txn, STORE_TRAIL), 2);
    size = sizeof (last);
    cr_assert_eq (store_last (txn, STORE_TRAIL, last, &size), STORE_OK);
    cr_assert_eq (size, 2);
    cr_assert (memcmp (last, "k3", 2) == 0);
    /* A longer key sorts after its prefix. */
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "k3a", 3, "d", 1),
                  STORE_OK);
    size = 2;
    cr_assert_eq (store_last (txn, STORE_TRAIL, last, &size), STORE_TOOBIG);
    cr_assert_eq (size, 3, "the size needed");
    store_abort (&txn);
}

Test (store, del_removes_a_key_and_reports_a_missing_one)
{
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_TICKETS, "T1", "v");
    cr_assert_eq (store_del (txn, STORE_TICKETS, "T1", 2), STORE_OK);
    char text[16];
    cr_assert_eq (s_get_str (txn, STORE_TICKETS, "T1", text, sizeof (text)),
                  STORE_NOTFOUND);
    cr_assert_eq (store_del (txn, STORE_TICKETS, "T1", 2), STORE_NOTFOUND);
    s_commit (&txn);
}

Test (store, abort_discards_every_write_of_the_transaction)
{
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_TICKETS, "keep", "1");
    s_commit (&txn);

    txn = s_begin (true);
    s_put_str (txn, STORE_TICKETS, "T1", "v");
    cr_assert_eq (store_del (txn, STORE_TICKETS, "keep", 4), STORE_OK);
    cr_assert_eq (store_meta_put (txn, "clock", 42), STORE_OK);
    store_abort (&txn);
    cr_assert_null (txn);
    store_abort (&txn); /* NULL-safe */
    store_abort (NULL);

    txn = s_begin (false);
    char text[16];
    cr_assert_eq (s_get_str (txn, STORE_TICKETS, "T1", text, sizeof (text)),
                  STORE_NOTFOUND);
    cr_assert_eq (s_get_str (txn, STORE_TICKETS, "keep", text, sizeof (text)),
                  STORE_OK);
    uint64_t clock;
    cr_assert_eq (store_meta_get (txn, "clock", &clock), STORE_NOTFOUND);
    store_abort (&txn);
}

Test (store, a_commit_is_visible_to_later_reads_and_after_reopening)
{
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_UNITS, "U01", "town office");
    /* A read transaction begun before the commit sees the old state. */
    store_txn_t *before = s_begin (false);
    char text[32];
    cr_assert_eq (s_get_str (before, STORE_UNITS, "U01", text, sizeof (text)),
                  STORE_NOTFOUND);
    s_commit (&txn);
    cr_assert_eq (s_get_str (before, STORE_UNITS, "U01", text, sizeof (text)),
                  STORE_NOTFOUND, "a reader keeps its snapshot");
    store_abort (&before);

    txn = s_begin (false);
    cr_assert_eq (s_get_str (txn, STORE_UNITS, "U01", text, sizeof (text)),
                  STORE_OK);
    cr_assert_str_eq (text, "town office");
    store_abort (&txn);

    s_reopen ();
    txn = s_begin (false);
    cr_assert_eq (s_get_str (txn, STORE_UNITS, "U01", text, sizeof (text)),
                  STORE_OK);
    cr_assert_str_eq (text, "town office");
    store_abort (&txn);
}

Test (store, count_gives_the_entries_of_a_table)
{
    store_txn_t *txn = s_begin (true);
    cr_assert_eq (store_count (txn, STORE_TICKETS), 0);
    s_put_str (txn, STORE_TICKETS, "a", "1");
    s_put_str (txn, STORE_TICKETS, "b", "2");
    s_put_str (txn, STORE_TICKETS, "b", "3");
    s_put_str (txn, STORE_UNITS, "a", "1");
    cr_assert_eq (store_count (txn, STORE_TICKETS), 2);
    cr_assert_eq (store_count (txn, STORE_UNITS), 1);
    s_commit (&txn);
}

Test (store, log_append_numbers_events_from_one_and_continues_after_reopen)
{
    store_txn_t *txn = s_begin (true);
    uint64_t seq = 0;
    for (uint64_t i = 1; i <= 3; i++) {
        char event[16];
        snprintf (event, sizeof (event), "event %d", (int)i);
        cr_assert_eq (store_log_append (txn, event, strlen (event), &seq),
                      STORE_OK);
        cr_assert_eq (seq, i);
    }
    s_commit (&txn);
    s_reopen ();
    txn = s_begin (true);
    cr_assert_eq (store_log_append (txn, "event 4", 7, &seq), STORE_OK);
    cr_assert_eq (seq, 4);
    /* The key is the big-endian sequence number. */
    uint8_t key[8];
    store_put_be64 (key, 2);
    char text[16];
    size_t size = sizeof (text);
    cr_assert_eq (store_get (txn, STORE_LOG, key, 8, text, &size), STORE_OK);
    cr_assert_eq (size, 7);
    cr_assert_eq (memcmp (text, "event 2", 7), 0);
    cr_assert_eq (store_count (txn, STORE_LOG), 4);
    s_commit (&txn);
}

Test (store, an_aborted_append_gives_its_number_to_the_next_one)
{
    store_txn_t *txn = s_begin (true);
    uint64_t seq = 0;
    cr_assert_eq (store_log_append (txn, "a", 1, &seq), STORE_OK);
    s_commit (&txn);
    txn = s_begin (true);
    cr_assert_eq (store_log_append (txn, "b", 1, &seq), STORE_OK);
    cr_assert_eq (seq, 2);
    store_abort (&txn);
    txn = s_begin (true);
    cr_assert_eq (store_log_append (txn, "c", 1, &seq), STORE_OK);
    cr_assert_eq (seq, 2);
    s_commit (&txn);
}

Test (store, add_i32_creates_adds_and_zero_extends_a_shorter_array)
{
    store_txn_t *txn = s_begin (true);
    const int32_t first[2] = {1, 2};
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "k", 1, first, 2),
                  STORE_OK);
    int32_t out[4];
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "k", 1, out, 2),
                  STORE_OK);
    cr_assert_eq (out[0], 1);
    cr_assert_eq (out[1], 2);
    const int32_t more[4] = {10, -20, 30, 40};
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "k", 1, more, 4),
                  STORE_OK);
    s_commit (&txn);

    txn = s_begin (false);
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "k", 1, out, 4),
                  STORE_OK);
    cr_assert_eq (out[0], 11);
    cr_assert_eq (out[1], -18);
    cr_assert_eq (out[2], 30);
    cr_assert_eq (out[3], 40);
    char raw[32];
    size_t size = sizeof (raw);
    cr_assert_eq (store_get (txn, STORE_COUNTERS, "k", 1, raw, &size),
                  STORE_OK);
    int32_t raw_values[8];
    cr_assert_eq (store_i32_decode (raw, size, raw_values, 8), 0);
    cr_assert_eq (raw_values[3], 40, "the record grew to 4 values");
    cr_assert_eq (raw_values[4], 0);
    cr_assert_eq (size, 4,
                  "11, -18, 30, 40 as varints take a byte each, not %zu", size);
    store_abort (&txn);
}

/* The bytes of vector records: small values take a byte, the sign and
   the extremes survive, trailing zeros are left out, and what is not a
   record is refused without reading past it. */
Test (store, vector_records_are_varints_and_read_back_exactly)
{
    const int32_t values[8] = {0, 1, -1, 63, -64, 64, INT32_MAX, INT32_MIN};
    uint8_t bytes[STORE_I32_BYTES (8)];
    size_t size = store_i32_encode (values, 8, bytes);
    /* 1 byte each for 0, 1, -1, 63, -64; 2 for 64; 5 for the extremes. */
    cr_assert_eq (size, 5 + 2 + 5 + 5);
    int32_t out[10];
    cr_assert_eq (store_i32_decode (bytes, size, out, 10), 0);
    for (int i = 0; i < 8; i++)
        cr_assert_eq (out[i], values[i], "value %d", i);
    cr_assert_eq (out[8], 0, "past the end reads as zero");
    cr_assert_eq (out[9], 0);
    /* Fewer asked for than stored: the rest is ignored. */
    cr_assert_eq (store_i32_decode (bytes, size, out, 2), 0);
    cr_assert_eq (out[1], 1);

    const int32_t trailing[5] = {300, 0, 2, 0, 0};
    cr_assert_eq (store_i32_encode (trailing, 5, bytes), 4, "300 0 2: 2+1+1");
    const int32_t zeros[3] = {0, 0, 0};
    cr_assert_eq (store_i32_encode (zeros, 3, bytes), 0);
    cr_assert_eq (store_i32_decode (bytes, 0, out, 3), 0);
    cr_assert_eq (out[0] | out[1] | out[2], 0);

    /* A value cut short, and one longer than 32 bits. */
    const uint8_t cut[2] = {0x02, 0x80};
    cr_assert_eq (store_i32_decode (cut, 2, out, 4), -1);
    cr_assert_eq (out[0], 0, "nothing of a refused record is read");
    const uint8_t wide[6] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    cr_assert_eq (store_i32_decode (wide, 6, out, 4), -1);
}

Test (store, add_i32_handles_arrays_longer_than_its_stack_buffer)
{
    enum { N = 100 };
    int32_t delta[N], out[N];
    for (int i = 0; i < N; i++)
        delta[i] = i;
    store_txn_t *txn = s_begin (true);
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "big", 3, delta, N),
                  STORE_OK);
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "big", 3, delta, N),
                  STORE_OK);
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "big", 3, out, N),
                  STORE_OK);
    for (int i = 0; i < N; i++)
        cr_assert_eq (out[i], 2 * i);
    s_commit (&txn);
}

Test (store, get_i32_zero_fills_a_missing_key_and_a_shorter_array)
{
    store_txn_t *txn = s_begin (true);
    int32_t out[3] = {7, 7, 7};
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "none", 4, out, 3),
                  STORE_OK);
    cr_assert_eq (out[0], 0);
    cr_assert_eq (out[1], 0);
    cr_assert_eq (out[2], 0);
    const int32_t one[1] = {5};
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "short", 5, one, 1),
                  STORE_OK);
    out[1] = out[2] = 9;
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "short", 5, out, 3),
                  STORE_OK);
    cr_assert_eq (out[0], 5);
    cr_assert_eq (out[1], 0);
    cr_assert_eq (out[2], 0);
    store_abort (&txn);
}

Test (store, meta_values_round_trip_as_u64)
{
    store_txn_t *txn = s_begin (true);
    uint64_t value = 0;
    cr_assert_eq (store_meta_get (txn, "clock", &value), STORE_NOTFOUND);
    cr_assert_eq (store_meta_put (txn, "clock", 1751332200000ULL), STORE_OK);
    cr_assert_eq (store_meta_put (txn, "pubseq", UINT64_MAX), STORE_OK);
    s_commit (&txn);
    txn = s_begin (false);
    cr_assert_eq (store_meta_get (txn, "clock", &value), STORE_OK);
    cr_assert_eq (value, 1751332200000ULL);
    cr_assert_eq (store_meta_get (txn, "pubseq", &value), STORE_OK);
    cr_assert_eq (value, UINT64_MAX);
    store_abort (&txn);
}

Test (store, meta_get_of_a_value_that_is_not_eight_bytes_is_an_error)
{
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_META, "odd", "abc");
    uint64_t value = 0;
    cr_assert_eq (store_meta_get (txn, "odd", &value), STORE_ERROR);
    store_abort (&txn);
}

/* Walks a cursor and joins the keys (strings) with commas. */
static void
s_walk (store_txn_t *txn, store_table_t table, const char *from, char *out,
        size_t capacity)
{
    store_cursor_t *cursor =
        store_cursor_new (txn, table, from, from ? strlen (from) : 0);
    cr_assert_not_null (cursor);
    out[0] = 0;
    const void *key, *value;
    size_t key_size, size;
    while (store_cursor_next (cursor, &key, &key_size, &value, &size) ==
           STORE_OK) {
        size_t len = strlen (out);
        snprintf (out + len, capacity - len, "%s%.*s", len ? "," : "",
                  (int)key_size, (const char *)key);
    }
    store_cursor_destroy (&cursor);
    cr_assert_null (cursor);
}

Test (store, cursor_walks_in_key_order_from_a_start_key)
{
    store_txn_t *txn = s_begin (true);
    const char *keys[] = {"d", "b", "a", "e", "c", "bb"};
    for (int i = 0; i < 6; i++)
        s_put_str (txn, STORE_TICKETS, keys[i], keys[i]);
    s_commit (&txn);
    txn = s_begin (false);
    char out[64];
    s_walk (txn, STORE_TICKETS, NULL, out, sizeof (out));
    cr_assert_str_eq (out, "a,b,bb,c,d,e");
    s_walk (txn, STORE_TICKETS, "bb", out, sizeof (out));
    cr_assert_str_eq (out, "bb,c,d,e", "starts at the key itself");
    s_walk (txn, STORE_TICKETS, "ba", out, sizeof (out));
    cr_assert_str_eq (out, "bb,c,d,e", "starts at the first key >= from");
    s_walk (txn, STORE_TICKETS, "z", out, sizeof (out));
    cr_assert_str_eq (out, "", "nothing after the last key");
    s_walk (txn, STORE_UNITS, NULL, out, sizeof (out));
    cr_assert_str_eq (out, "", "an empty table");

    /* The values come with the keys. */
    store_cursor_t *cursor = store_cursor_new (txn, STORE_TICKETS, "c", 1);
    const void *key, *value;
    size_t key_size, size;
    cr_assert_eq (store_cursor_next (cursor, &key, &key_size, &value, &size),
                  STORE_OK);
    cr_assert_eq (size, 1);
    cr_assert_eq (*(const char *)value, 'c');
    /* Value pointers are optional. */
    cr_assert_eq (store_cursor_next (cursor, &key, &key_size, NULL, NULL),
                  STORE_OK);
    cr_assert_eq (*(const char *)key, 'd');
    store_cursor_destroy (&cursor);
    store_cursor_destroy (&cursor); /* idempotent */
    store_cursor_destroy (NULL);
    store_abort (&txn);
}

Test (store, cursor_del_during_a_walk_continues_with_the_next_entry)
{
    store_txn_t *txn = s_begin (true);
    const char *keys[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++)
        s_put_str (txn, STORE_DUE, keys[i], "");
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, "b", 1);
    const void *key;
    size_t key_size;
    char seen[16] = "";
    /* Delete b, c and f; keep d and e. */
    while (store_cursor_next (cursor, &key, &key_size, NULL, NULL) ==
           STORE_OK) {
        char k = *(const char *)key;
        size_t len = strlen (seen);
        seen[len] = k;
        seen[len + 1] = 0;
        if (k == 'b' || k == 'c' || k == 'f')
            cr_assert_eq (store_cursor_del (cursor), STORE_OK);
    }
    store_cursor_destroy (&cursor);
    cr_assert_str_eq (seen, "bcdef", "every entry visited once");
    s_commit (&txn);
    txn = s_begin (false);
    char out[64];
    s_walk (txn, STORE_DUE, NULL, out, sizeof (out));
    cr_assert_str_eq (out, "a,d,e");
    store_abort (&txn);
}

Test (store, big_endian_helpers_store_the_high_byte_first_and_sort_as_numbers)
{
    uint8_t buf[8];
    store_put_be64 (buf, 0x0102030405060708ULL);
    const uint8_t expected[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cr_assert_arr_eq (buf, expected, 8);
    cr_assert_eq (store_get_be64 (buf), 0x0102030405060708ULL);
    const uint64_t values[] = {
        0, 1, 255, 256, 65535, 1751332200000ULL, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i + 1 < sizeof (values) / sizeof (values[0]); i++) {
        uint8_t a[8], b[8];
        store_put_be64 (a, values[i]);
        store_put_be64 (b, values[i + 1]);
        cr_assert_lt (memcmp (a, b, 8), 0, "%llu before %llu",
                      (unsigned long long)values[i],
                      (unsigned long long)values[i + 1]);
        cr_assert_eq (store_get_be64 (a), values[i]);
    }

    /* In the store: due keys come out in time order. */
    store_txn_t *txn = s_begin (true);
    const uint64_t times[] = {300, 5, 70000, 256};
    for (int i = 0; i < 4; i++) {
        uint8_t key[8];
        store_put_be64 (key, times[i]);
        cr_assert_eq (store_put (txn, STORE_DUE, key, 8, "", 0), STORE_OK);
    }
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, NULL, 0);
    const void *key;
    size_t key_size;
    const uint64_t sorted[] = {5, 256, 300, 70000};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq (store_cursor_next (cursor, &key, &key_size, NULL, NULL),
                      STORE_OK);
        cr_assert_eq (store_get_be64 (key), sorted[i]);
    }
    cr_assert_eq (store_cursor_next (cursor, &key, &key_size, NULL, NULL),
                  STORE_NOTFOUND);
    store_cursor_destroy (&cursor);
    store_abort (&txn);
}

Test (store, a_full_map_makes_puts_fail_with_full_and_keeps_what_was_committed)
{
    char path[160], err[256] = "";
    snprintf (path, sizeof (path), "%s/tiny", s_root);
    store_t *tiny = store_new (path, 1 << 20, err);
    cr_assert_not_null (tiny, "store_new: %s", err);
    uint64_t used = 0, map = 0;
    cr_assert_eq (store_info (tiny, &used, &map), STORE_OK);
    cr_assert_eq (map, 1 << 20);

    store_txn_t *txn = store_begin (tiny, true);
    cr_assert_not_null (txn);
    cr_assert_eq (store_put (txn, STORE_TICKETS, "keep", 4, "safe", 4),
                  STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);

    txn = store_begin (tiny, true);
    cr_assert_not_null (txn);
    char value[4000];
    memset (value, 'v', sizeof (value));
    int rc = STORE_OK;
    int written = 0;
    for (; written < 10000 && rc == STORE_OK; written++) {
        char key[16];
        snprintf (key, sizeof (key), "k%05d", written);
        rc = store_put (txn, STORE_TICKETS, key, strlen (key), value,
                        sizeof (value));
    }
    cr_assert_eq (rc, STORE_FULL, "after %d puts: %s", written,
                  store_strerror (rc));
    cr_assert_lt (written, 10000);
    store_abort (&txn);

    txn = store_begin (tiny, false);
    cr_assert_not_null (txn);
    char buf[8];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_TICKETS, "keep", 4, buf, &size),
                  STORE_OK);
    cr_assert_eq (memcmp (buf, "safe", 4), 0);
    cr_assert_eq (store_count (txn, STORE_TICKETS), 1);
    store_abort (&txn);

    /* Small writes still fit after the failed transaction. */
    txn = store_begin (tiny, true);
    cr_assert_not_null (txn);
    cr_assert_eq (store_put (txn, STORE_TICKETS, "more", 4, "ok", 2), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    store_destroy (&tiny);
}

Test (store, info_reports_the_bytes_used_and_the_map_size)
{
    uint64_t used = 0, map = 0;
    cr_assert_eq (store_info (s_store, &used, &map), STORE_OK);
    cr_assert_gt (used, 0);
    cr_assert_eq (map, 4ULL << 30, "the default map is 4 GiB");
}

Test (store, open_on_a_regular_file_fails_with_a_message)
{
    char path[160], err[256] = "";
    snprintf (path, sizeof (path), "%s/plain", s_root);
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file);
    fputs ("not a directory\n", file);
    fclose (file);
    store_t *store = store_new (path, 0, err);
    cr_assert_null (store);
    cr_assert_neq (err[0], 0, "a reason is given");
    cr_assert_not_null (strstr (err, path), "the reason names %s: %s", path,
                        err);
}

Test (store, open_below_a_regular_file_fails_with_a_message)
{
    char path[200], err[256] = "";
    snprintf (path, sizeof (path), "%s/plain", s_root);
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file);
    fclose (file);
    strcat (path, "/db");
    store_t *store = store_new (path, 0, err);
    cr_assert_null (store);
    cr_assert_not_null (strstr (err, "cannot create"), "%s", err);
    cr_assert_not_null (strstr (err, path), "%s", err);
}

Test (store, an_overlong_key_is_a_store_error_with_lmdbs_reason)
{
    char key[STORE_KEY_MAX + 2];
    memset (key, 'k', sizeof (key));
    store_txn_t *txn = s_begin (true);
    cr_assert_eq (store_put (txn, STORE_TICKETS, key, STORE_KEY_MAX, "v", 1),
                  STORE_OK, "STORE_KEY_MAX bytes fit");
    int rc = store_put (txn, STORE_TICKETS, key, STORE_KEY_MAX + 1, "v", 1);
    cr_assert_eq (rc, STORE_ERROR);
    const char *text = store_strerror (rc);
    cr_assert_not_null (text);
    cr_assert_str_neq (text, "store error", "LMDB's own reason: %s", text);
    store_abort (&txn);
}

Test (store, strerror_names_every_return_code)
{
    cr_assert_str_eq (store_strerror (STORE_OK), "ok");
    cr_assert_str_eq (store_strerror (STORE_NOTFOUND), "not found");
    cr_assert_not_null (strstr (store_strerror (STORE_FULL), "full"));
    cr_assert_not_null (strstr (store_strerror (STORE_TOOBIG), "larger"));
    cr_assert_not_null (store_strerror (STORE_ERROR));
    cr_assert_gt (strlen (store_strerror (STORE_ERROR)), 0);
}

/* ---- the tap ----------------------------------------------------------- */

/* What a test tap saw: one line per call, "OP table key=value". */
typedef struct {
    char lines[32][96]; /* the calls, in order */
    int count;          /* calls seen */
} s_seen_t;

static void
s_tap_record (void *arg, store_tap_op_t op, store_table_t table,
              const void *key, size_t key_size, const void *value, size_t size)
{
    static const char *ops[STORE_TAP_OPS] = {"READ", "PUT", "DEL", "CLEAR"};
    s_seen_t *seen = arg;
    cr_assert_lt (seen->count, 32);
    char *line = seen->lines[seen->count++];
    int n = snprintf (line, 96, "%s %d %.*s", ops[op], (int)table,
                      (int)key_size, key ? (const char *)key : "");
    /* Counter records are vectors: shown as numbers. */
    if (table == STORE_COUNTERS && op == STORE_TAP_PUT) {
        int32_t v[8];
        cr_assert_eq (store_i32_decode (value, size, v, 8), 0);
        int count = 8;
        while (count > 0 && v[count - 1] == 0)
            count--;
        for (int i = 0; i < count; i++)
            n += snprintf (line + n, 96 - (size_t)n, "%s%d", i ? "," : "=",
                           v[i]);
    } else if (op == STORE_TAP_PUT && table != STORE_LOG)
        snprintf (line + n, 96 - (size_t)n, "=%.*s", (int)size,
                  (const char *)value);
    cr_assert (op == STORE_TAP_PUT || (!value && !size));
}

Test (store, a_tap_sees_every_operation_of_a_write_transaction_in_order)
{
    s_seen_t seen = {0};
    store_set_tap (s_store, s_tap_record, &seen);
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_TICKETS, "T1", "one");
    char buf[16];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_TICKETS, "T1", 2, buf, &size),
                  STORE_OK);
    cr_assert_eq (store_exists (txn, STORE_UNITS, "U9", 2), STORE_NOTFOUND);
    cr_assert_eq (store_put_new (txn, STORE_DEDUP, "e1", 2, "1", 1), STORE_OK);
    cr_assert_eq (store_put_new (txn, STORE_DEDUP, "e1", 2, "2", 1), 1);
    cr_assert_eq (store_del (txn, STORE_TICKETS, "T1", 2), STORE_OK);
    cr_assert_eq (store_del (txn, STORE_TICKETS, "T2", 2), STORE_NOTFOUND);
    uint64_t seq;
    cr_assert_eq (store_log_append (txn, "ev", 2, &seq), STORE_OK);
    cr_assert_eq (store_meta_put (txn, "clock", 7), STORE_OK);
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "a2", 2, "x", 1),
                  STORE_OK);
    cr_assert_eq (store_put_append (txn, STORE_TRAIL, "a1", 2, "y", 1), 1);
    size = sizeof (buf);
    cr_assert_eq (store_last (txn, STORE_TRAIL, buf, &size), STORE_OK);
    s_commit (&txn);
    /* Keys and values print up to their first NUL: the log's key and
       the clock's value are big-endian numbers. The first append reads
       the log's last key (none: the log is empty). A refused append is
       a read of its key; store_last reads the key it finds. A meta
       value is written when the transaction commits. */
    const char *expected[] = {"PUT 3 T1=one", "READ 3 T1",  "READ 7 U9",
                              "PUT 2 e1=1",   "READ 2 e1",  "DEL 3 T1",
                              "DEL 3 T2",     "READ 1 ",    "PUT 1 ",
                              "PUT 11 a2=x",  "READ 11 a1", "READ 11 a2",
                              "PUT 0 clock="};
    cr_assert_eq (seen.count, 13);
    for (int i = 0; i < 13; i++)
        cr_expect_str_eq (seen.lines[i], expected[i], "call %d", i);
}

/* A write transaction keeps the meta values it reads and writes: one
   read and one write of the table per value, whatever the number of
   calls, and what a caller reads is always the latest value. */
Test (store, meta_values_are_read_once_and_written_once_per_transaction)
{
    s_seen_t seen = {0};
    store_set_tap (s_store, s_tap_record, &seen);
    store_txn_t *txn = s_begin (true);
    uint64_t v = 0;
    cr_assert_eq (store_meta_get (txn, "clock", &v), STORE_NOTFOUND);
    for (uint64_t i = 1; i <= 1000; i++) {
        cr_assert_eq (store_meta_put (txn, "clock", i), STORE_OK);
        cr_assert_eq (store_meta_get (txn, "clock", &v), STORE_OK);
        cr_assert_eq (v, i);
    }
    cr_assert_eq (seen.count, 1, "one read of the table, no write yet");
    /* A direct read of the table sees what was written. */
    uint8_t buf[8];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_META, "clock", 5, buf, &size),
                  STORE_OK);
    cr_assert_eq (store_get_be64 (buf), 1000);
    s_commit (&txn);
    size_t clock_puts = 0;
    for (int i = 0; i < seen.count; i++)
        clock_puts += strcmp (seen.lines[i], "PUT 0 clock=") == 0;
    cr_assert_eq (clock_puts, 1, "the clock written once");
    store_set_tap (s_store, NULL, NULL);

    txn = s_begin (true);
    /* More names than the transaction keeps: the oldest are written. */
    char name[16];
    for (int i = 0; i < 12; i++) {
        snprintf (name, sizeof (name), "n%d", i);
        cr_assert_eq (store_meta_put (txn, name, (uint64_t)i + 100), STORE_OK);
    }
    for (int i = 0; i < 12; i++) {
        snprintf (name, sizeof (name), "n%d", i);
        cr_assert_eq (store_meta_get (txn, name, &v), STORE_OK);
        cr_assert_eq (v, (uint64_t)i + 100);
    }
    s_commit (&txn);
    txn = s_begin (true);
    cr_assert_eq (store_meta_get (txn, "clock", &v), STORE_OK);
    cr_assert_eq (v, 1000);
    cr_assert_eq (store_meta_put (txn, "clock", 5), STORE_OK);
    store_abort (&txn);
    txn = s_begin (false);
    cr_assert_eq (store_meta_get (txn, "clock", &v), STORE_OK);
    cr_assert_eq (v, 1000, "an aborted transaction writes nothing");
    cr_assert_eq (store_meta_get (txn, "n11", &v), STORE_OK);
    cr_assert_eq (v, 111);
    store_abort (&txn);
}

/* The first key a write transaction remembers follows every write of
   its table: a smaller key put, the first deleted (by key or cursor),
   the table cleared. Checked against a fresh read after each step. */
static void
s_expect_first (store_txn_t *txn, const char *expected)
{
    char key[16];
    size_t size = sizeof (key);
    int rc = store_first (txn, STORE_DUE, key, &size);
    if (!expected) {
        cr_assert_eq (rc, STORE_NOTFOUND);
        return;
    }
    cr_assert_eq (rc, STORE_OK);
    cr_assert_eq (size, strlen (expected));
    cr_assert_eq (memcmp (key, expected, size), 0, "first %.*s, not %s",
                  (int)size, key, expected);
}

Test (store, the_first_key_follows_every_write_of_its_table)
{
    store_txn_t *txn = s_begin (true);
    s_expect_first (txn, NULL);
    s_put_str (txn, STORE_DUE, "m", "1");
    s_expect_first (txn, "m");
    s_put_str (txn, STORE_DUE, "t", "1");
    s_expect_first (txn, "m");
    s_put_str (txn, STORE_DUE, "c", "1");
    s_expect_first (txn, "c");
    cr_assert_eq (store_put_new (txn, STORE_DUE, "b", 1, "1", 1), STORE_OK);
    s_expect_first (txn, "b");
    cr_assert_eq (store_put_new (txn, STORE_DUE, "bb", 2, "1", 1), STORE_OK);
    s_expect_first (txn, "b");
    cr_assert_eq (store_del (txn, STORE_DUE, "b", 1), STORE_OK);
    s_expect_first (txn, "bb");
    /* A cursor deleting from the front. */
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, NULL, 0);
    const void *key;
    size_t size;
    cr_assert_eq (store_cursor_next (cursor, &key, &size, NULL, NULL),
                  STORE_OK);
    cr_assert_eq (store_cursor_del (cursor), STORE_OK);
    store_cursor_destroy (&cursor);
    s_expect_first (txn, "c");
    /* Another table's writes leave it alone; asking about another table
       answers for that one. */
    s_put_str (txn, STORE_TICKETS, "a", "1");
    s_expect_first (txn, "c");
    s_commit (&txn);

    txn = s_begin (true);
    s_expect_first (txn, "c");
    cr_assert_eq (store_clear (txn, STORE_DUE), STORE_OK);
    s_expect_first (txn, NULL);
    s_put_str (txn, STORE_DUE, "z", "1");
    s_expect_first (txn, "z");
    store_abort (&txn);
    txn = s_begin (false);
    s_expect_first (txn, "c");
    store_abort (&txn);
}

/* store_add_one is store_add_i32 of a vector zero but at one place: the
   two sum into the same record, and an index past the vector is
   refused. */
Test (store, one_value_adds_sum_with_vector_adds)
{
    store_txn_t *txn = s_begin (true);
    int32_t start[3] = {1, 2, 3};
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "one", 3, start, 3),
                  STORE_OK);
    for (int i = 0; i < 5; i++)
        cr_assert_eq (store_add_one (txn, STORE_COUNTERS, "one", 3, 3, 1, 10),
                      STORE_OK);
    cr_assert_eq (store_add_one (txn, STORE_COUNTERS, "one", 3, 4, 3, -7),
                  STORE_OK);
    cr_assert_eq (store_add_one (txn, STORE_COUNTERS, "one", 3, 3, 3, 1),
                  STORE_ERROR);
    s_commit (&txn);
    txn = s_begin (false);
    int32_t out[4];
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "one", 3, out, 4),
                  STORE_OK);
    cr_assert_eq (out[0], 1);
    cr_assert_eq (out[1], 52);
    cr_assert_eq (out[2], 3);
    cr_assert_eq (out[3], -7);
    store_abort (&txn);
}

/* Adds are summed in memory: the tap sees one write per record, with
   its new value, at commit or before a read of its table. */
Test (store, a_tap_sees_summed_adds_once_per_record_with_the_new_value)
{
    store_txn_t *txn = s_begin (true);
    int32_t start[2] = {10, 20};
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "k", 1, start, 2),
                  STORE_OK);
    s_commit (&txn);

    s_seen_t seen = {0};
    store_set_tap (s_store, s_tap_record, &seen);
    txn = s_begin (true);
    int32_t one[2] = {1, 0}, two[2] = {0, 2};
    for (int i = 0; i < 3; i++)
        cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "k", 1, one, 2),
                      STORE_OK);
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "j", 1, two, 2),
                  STORE_OK);
    cr_assert_eq (seen.count, 0, "adds are written at commit");
    int32_t out[2];
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, "k", 1, out, 2),
                  STORE_OK);
    cr_assert_eq (seen.count, 3, "the read flushes both records first");
    cr_expect_str_eq (seen.lines[2], "READ 5 k");
    cr_assert_eq (store_add_i32 (txn, STORE_COUNTERS, "k", 1, two, 2),
                  STORE_OK);
    s_commit (&txn);
    cr_assert_eq (seen.count, 4);
    /* The flush goes in hash order: either record may come first. */
    bool k_first = strcmp (seen.lines[0], "PUT 5 k=13,20") == 0;
    cr_expect_str_eq (seen.lines[k_first ? 0 : 1], "PUT 5 k=13,20");
    cr_expect_str_eq (seen.lines[k_first ? 1 : 0], "PUT 5 j=0,2");
    cr_expect_str_eq (seen.lines[3], "PUT 5 k=13,22");
}

Test (store, a_tap_sees_cursor_steps_cursor_deletes_and_clears)
{
    store_txn_t *txn = s_begin (true);
    s_put_str (txn, STORE_DUE, "a", "");
    s_put_str (txn, STORE_DUE, "b", "");
    s_commit (&txn);
    s_seen_t seen = {0};
    store_set_tap (s_store, s_tap_record, &seen);
    txn = s_begin (true);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, NULL, 0);
    const void *key;
    size_t size;
    cr_assert_eq (store_cursor_next (cursor, &key, &size, NULL, NULL),
                  STORE_OK);
    cr_assert_eq (store_cursor_del (cursor), STORE_OK);
    cr_assert_eq (store_cursor_next (cursor, &key, &size, NULL, NULL),
                  STORE_OK);
    cr_assert_eq (store_cursor_next (cursor, &key, &size, NULL, NULL),
                  STORE_NOTFOUND);
    store_cursor_destroy (&cursor);
    cr_assert_eq (store_clear (txn, STORE_DUE), STORE_OK);
    s_commit (&txn);
    const char *expected[] = {"READ 4 a", "DEL 4 a", "READ 4 b", "READ 4 ",
                              "CLEAR 4 "};
    cr_assert_eq (seen.count, 5);
    for (int i = 0; i < 5; i++)
        cr_expect_str_eq (seen.lines[i], expected[i], "call %d", i);
}

Test (store, read_transactions_and_a_removed_tap_are_not_tapped)
{
    s_seen_t seen = {0};
    store_set_tap (s_store, s_tap_record, &seen);
    store_txn_t *txn = s_begin (false);
    char buf[4];
    size_t size = sizeof (buf);
    cr_assert_eq (store_get (txn, STORE_META, "x", 1, buf, &size),
                  STORE_NOTFOUND);
    store_abort (&txn);
    store_set_tap (s_store, NULL, NULL);
    txn = s_begin (true);
    s_put_str (txn, STORE_META, "x", "1");
    s_commit (&txn);
    cr_expect_eq (seen.count, 0);
}
