/*  Tests for hotline-gen and hotline-synth (gen/): the real binaries,
    run in a temporary directory.

    Every line either program writes must read back with
    proto_event_from_json and print again, byte for byte, through
    proto_event_to_json: the lines come from the one event writer. The
    units CSVs must read back with the one CSV reader, the same arguments
    must give the same files, and the documented refusals must happen.
*/
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "proto.h"

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (gen, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* Runs a command in the test directory; returns its exit status and its
   stdout and stderr (freed by the caller; either may be NULL). */
#define S_RUN(out, err, ...) harness_run (&h, out, err, __VA_ARGS__)

/* Checks every line of an events file: it parses, prints back the same,
   is numbered `prefix` + 000001, 000002... and is not earlier than the
   line before. Returns the number of lines. */
static size_t
s_check_events (const char *name, const char *prefix)
{
    char path[512];
    FILE *file = fopen (harness_path (&h, name, path), "r");
    cr_assert_not_null (file, "%s was not written", name);
    char *line = NULL;
    size_t cap = 0, count = 0;
    ssize_t len;
    int64_t last = 0;
    while ((len = getline (&line, &cap, file)) > 0) {
        count++;
        cr_assert_eq (line[len - 1], '\n', "%s line %zu has no newline", name,
                      count);
        line[--len] = 0;
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1] = "";
        cr_assert_eq (proto_event_from_json (line, (size_t)len, &event, reason),
                      0, "%s line %zu does not parse: %s: %s", name, count,
                      reason, line);
        char *again = proto_event_to_json (&event);
        cr_assert_not_null (again);
        cr_assert_str_eq (again, line, "%s line %zu is not the writer's", name,
                          count);
        free (again);
        char id[PROTO_ID_MAX + 1];
        snprintf (id, sizeof id, "%s%06zu", prefix, count);
        cr_assert_str_eq (event.event_id, id, "%s line %zu", name, count);
        cr_assert_geq (event.occurred_at, last, "%s line %zu is out of order",
                       name, count);
        last = event.occurred_at;
    }
    free (line);
    fclose (file);
    return count;
}

/* Reads a units CSV with the one CSV reader: checks the header and
   returns the number of units; `name_of` (may be NULL) receives the name
   of unit `unit_id`. */
static size_t
s_check_units (const char *name, const char *unit_id, char *name_of,
               size_t size)
{
    char path[512];
    FILE *file = fopen (harness_path (&h, name, path), "r");
    cr_assert_not_null (file, "%s was not written", name);
    proto_csv_t *csv = proto_csv_new (file);
    char **fields;
    size_t n, units = 0;
    cr_assert_eq (proto_csv_next (csv, &fields, &n), 1);
    cr_assert_eq (n, 3);
    cr_assert_str_eq (fields[0], "unit_id");
    cr_assert_str_eq (fields[1], "name");
    cr_assert_str_eq (fields[2], "group");
    int got;
    while ((got = proto_csv_next (csv, &fields, &n)) == 1) {
        cr_assert_eq (n, 3, "%s line %u has %zu fields", name,
                      proto_csv_line (csv), n);
        if (unit_id && strcmp (fields[0], unit_id) == 0)
            snprintf (name_of, size, "%s", fields[1]);
        units++;
    }
    cr_assert_eq (got, 0, "%s: %s", name, proto_csv_error (csv));
    proto_csv_destroy (&csv);
    fclose (file);
    return units;
}

Test (gen, every_line_of_hotline_gen_is_the_one_writers_line)
{
    char *err = NULL;
    int rc = S_RUN (NULL, &err,
                    "%s --month 2024-12 --seed 5 --scale 2 --units u.csv "
                    "--events e.jsonl",
                    GEN_BIN);
    cr_assert_eq (rc, 0, "hotline-gen failed: %s", err);
    free (err);
    cr_expect_gt (s_check_events ("e.jsonl", "g-202412-"), 8000);
    cr_expect_eq (s_check_units ("u.csv", NULL, NULL, 0), 27);
}

Test (gen, every_line_of_hotline_synth_is_the_one_writers_line)
{
    const char *runs[][3] = {
        {"jintai-2025", "jintai_2025_07.csv", "jintai-"},
        {"fufeng-2024", "fufeng_2024_q4.csv", "fufeng-"},
    };
    for (size_t i = 0; i < 2; i++) {
        char *err = NULL;
        int rc = S_RUN (NULL, &err,
                        "$SYNTH --scheme %s --golden %s/%s --units u%zu.csv "
                        "--events e%zu.jsonl",
                        runs[i][0], GOLDEN_DIR, runs[i][1], i, i);
        cr_assert_eq (rc, 0, "hotline-synth %s failed: %s", runs[i][0], err);
        free (err);
        char events[32], units[32];
        snprintf (events, sizeof events, "e%zu.jsonl", i);
        snprintf (units, sizeof units, "u%zu.csv", i);
        cr_expect_gt (s_check_events (events, runs[i][2]), 7000);
        cr_expect_eq (s_check_units (units, NULL, NULL, 0), i ? 49 : 27);
    }
}

/* The figures of the default month are pinned: a change to the writer
   must not change which events are generated. */
Test (gen, the_same_arguments_give_the_same_files_and_figures)
{
    char *err = NULL;
    int rc = S_RUN (NULL, &err,
                    "%s --units a.csv --events a.jsonl && "
                    "%s --units b.csv --events b.jsonl && "
                    "cmp a.csv b.csv && cmp a.jsonl b.jsonl",
                    GEN_BIN, GEN_BIN);
    cr_assert_eq (rc, 0, "two runs differ: %s", err);
    cr_expect (strstr (err, "2025-07 seed 1 scale 1: 27 units, 2145 tickets, "
                            "8323 events (56 returned, 60 extended, 1991 "
                            "closed on time, 85 late, 69 open at month end "
                            "of which 6 overdue, 1691 revisits, 24 rework)"),
               "summary changed: %s", err);
    free (err);
}

/* Writes file `name` in the test directory: the jintai golden file's
   first `lines` lines (0: all), in which `from` is replaced by `to`, its
   line ends written as `eol` and a blank line after the header, then
   `tail`; with a byte order mark first when `bom`. */
static void
s_golden_write (const char *name, size_t lines, const char *from,
                const char *to, const char *eol, const char *tail, bool bom)
{
    char path[512];
    char *golden = harness_slurp (GOLDEN_DIR "/jintai_2025_07.csv");
    cr_assert_not_null (golden);
    FILE *out = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (out);
    if (bom)
        fputs ("\xEF\xBB\xBF", out);
    size_t line = 0;
    for (char *text = golden, *end; *text && (!lines || line < lines);
         text = end + 1) {
        end = strchr (text, '\n');
        cr_assert_not_null (end);
        *end = 0;
        char *at = *from ? strstr (text, from) : NULL;
        if (at) {
            *at = 0;
            fprintf (out, "%s%s%s", text, to, at + strlen (from));
        } else
            fputs (text, out);
        fputs (eol, out);
        if (line++ == 0)
            fputs (eol, out);
    }
    fputs (tail, out);
    fclose (out);
    free (golden);
}

/* A golden file as spreadsheets save it: a byte order mark, CRLF line
   ends, a blank line and a quoted name holding a comma and quotes. */
Test (gen, a_golden_file_is_read_with_quotes_and_blank_lines)
{
    s_golden_write ("golden.csv", 0, "群众路街道办事处",
                    "\"群众, \"\"路\"\" 街道\"", "\r\n", "\r\n", true);
    char *err = NULL;
    int rc = S_RUN (NULL, &err,
                    "$SYNTH --scheme jintai-2025 --golden golden.csv "
                    "--units u.csv --events e.jsonl");
    cr_assert_eq (rc, 0, "hotline-synth failed: %s", err);
    free (err);
    char name[PROTO_REASON_MAX + 1] = "";
    cr_expect_eq (s_check_units ("u.csv", "J01", name, sizeof name), 27);
    cr_expect_str_eq (name, "群众, \"路\" 街道");
    cr_expect_gt (s_check_events ("e.jsonl", "jintai-"), 7000);
}

Test (gen, a_golden_file_with_an_unclosed_quote_is_refused_with_its_line)
{
    s_golden_write ("golden.csv", 2, "", "", "\n", "town,9,\"abc,1\n", false);
    char *err = NULL;
    int rc = S_RUN (NULL, &err,
                    "$SYNTH --scheme jintai-2025 --golden golden.csv "
                    "--units u.csv --events e.jsonl");
    cr_expect_eq (rc, 1);
    cr_expect (strstr (err, "golden.csv: line 4: a quoted field is not closed"),
               "%s", err);
    free (err);
}

Test (gen, a_month_that_starts_before_2000_in_utc_is_refused)
{
    char *err = NULL;
    int rc =
        S_RUN (NULL, &err, "%s --month 2000-01 --units u.csv --events e.jsonl",
               GEN_BIN);
    cr_expect_eq (rc, 2);
    cr_expect (strstr (err, "is not YYYY-MM from 2000-02 to 2099-11"), "%s",
               err);
    free (err);
    rc = S_RUN (NULL, &err,
                "%s --month 2000-02 --scale 0.1 --units u.csv "
                "--events e.jsonl",
                GEN_BIN);
    cr_expect_eq (rc, 0, "%s", err);
    free (err);
}

Test (gen, both_programs_answer_version_and_help)
{
    const char *programs[][2] = {{GEN_BIN, "hotline-gen"},
                                 {"$SYNTH", "hotline-synth"}};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL, expected[64];
        cr_expect_eq (S_RUN (&out, NULL, "%s --version", programs[i][0]), 0);
        snprintf (expected, sizeof expected, "%s %s\n", programs[i][1],
                  HOTLINE_VERSION);
        cr_expect_str_eq (out, expected);
        free (out);
        out = NULL;
        cr_expect_eq (S_RUN (&out, NULL, "%s --help", programs[i][0]), 0);
        snprintf (expected, sizeof expected, "usage: %s ", programs[i][1]);
        cr_expect (out && strncmp (out, expected, strlen (expected)) == 0, "%s",
                   out);
        cr_expect (out && strstr (out, "--version"), "%s", out);
        free (out);
        char *err = NULL;
        cr_expect_eq (S_RUN (NULL, &err, "%s --bogus", programs[i][0]), 2);
        free (err);
    }
}
