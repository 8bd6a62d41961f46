/*  The bulletin a clerk sends, end to end: the real hotlined and hotline
    over real sockets and a real LMDB directory, the files opened as their
    readers open them.

    - every shipped ruleset's workbook, opened with openpyxl
      (tests/bulletin_xlsx.py): title, merged headers as published, print
      setup, a chart per table;
    - the HTML bulletin of the 金台区 golden stream: valid HTML (tidy -e)
      whose numbers are the JSON report's (tests/bulletin_html.py);
    - the CSV for Excel: byte order mark and the bulletin's labels;
    - a units file saved in GBK: imported with --encoding gbk to the same
      registry as its UTF-8 twin, refused without it naming the line.

    The workbooks and the page are also left in BULLETIN_SAMPLES for
    scripts/render-bulletin.sh to render into images people look at. */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
    cr_assert (harness_start (&h), "hotlined did not start (see %s)", h.dir);
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (bulletin, .init = s_setup, .fini = s_teardown, .timeout = 240);

/* harness_run for a command line that may hold any quotes: it is written
   to a script in the harness directory, which sh runs. */
static int s_sh (harness_t *harness, char **out, char **err, const char *fmt,
                 ...) __attribute__ ((format (printf, 4, 5)));

static int
s_sh (harness_t *harness, char **out, char **err, const char *fmt, ...)
{
    char path[512];
    FILE *script = fopen (harness_path (harness, "step.sh", path), "w");
    cr_assert_not_null (script);
    va_list args;
    va_start (args, fmt);
    vfprintf (script, fmt, args);
    va_end (args);
    fputc ('\n', script);
    fclose (script);
    return harness_run (harness, out, err, "sh step.sh");
}

/* Runs a command in the harness directory; it must succeed. */
static void
s_run_ok (const char *command)
{
    char *out = NULL, *err = NULL;
    int rc = s_sh (&h, &out, &err, "%s", command);
    cr_assert_eq (rc, 0, "%s failed (%d):\n%s\n%s", command, rc, out, err);
    free (out);
    free (err);
}

/* Three months of 金台区 tickets (May to July 2025) from hotline-gen. */
static void
s_feed_months (void)
{
    for (int month = 5; month <= 7; month++) {
        char command[512];
        snprintf (command, sizeof command,
                  "%s --month 2025-%02d --units units.csv "
                  "--events m%d.jsonl",
                  GEN_BIN, month, month);
        s_run_ok (command);
    }
    s_run_ok ("$HOTLINE units import units.csv && $HOTLINE send m5.jsonl && "
              "$HOTLINE send m6.jsonl && $HOTLINE send m7.jsonl");
}

/* Keeps a copy of a file of the harness directory for the renderer. */
static void
s_keep (const char *name, const char *as)
{
    char command[1024];
    snprintf (command, sizeof command, "mkdir -p '%s' && cp %s '%s/%s'",
              BULLETIN_SAMPLES, name, BULLETIN_SAMPLES, as);
    s_run_ok (command);
}

/* The workbook of one ruleset, checked with openpyxl. */
static void
s_check_workbook (const char *ruleset, const char *period, int trend)
{
    char command[1024];
    snprintf (command, sizeof command,
              "$HOTLINE report --ruleset %s --period %s --format json > "
              "%s.json && $HOTLINE report --ruleset %s --period %s --format "
              "xlsx --trend %d --output %s.xlsx",
              ruleset, period, ruleset, ruleset, period, trend, ruleset);
    s_run_ok (command);
    char *out = NULL, *err = NULL;
    int rc = harness_run (
        &h, &out, &err, "/usr/bin/python3 %s/bulletin_xlsx.py %s.json %s.xlsx",
        TESTS_DIR, ruleset, ruleset);
    cr_expect_eq (rc, 0, "%s: %s%s", ruleset, out, err);
    free (out);
    free (err);
    snprintf (command, sizeof command, "%s.xlsx", ruleset);
    s_keep (command, command);
}

Test (bulletin, writes_a_workbook_as_published_for_every_shipped_ruleset)
{
    char *out = NULL;
    int rc =
        s_sh (&h, &out, NULL, "/usr/bin/python3 -c 'import openpyxl' 2>&1");
    cr_assert_eq (rc, 0, "python3-openpyxl is needed (scripts/setup.sh): %s",
                  out);
    free (out);
    s_feed_months ();
    s_check_workbook ("jintai-2025", "2025-07", 3);
    s_check_workbook ("furong-2022", "2025-07", 3);
    s_check_workbook ("jintai-2023", "2025-07", 2);
    s_check_workbook ("fufeng-2024", "2025-Q3", 2);
    /* 连云港's tables list other groups: the same units, regrouped. */
    s_run_ok ("awk -F, 'NR == 1 { print; next } { g = $3 == \"town\" ? "
              "(NR % 2 ? \"key_help\" : \"key_service\") : (NR % 3 == 0 ? "
              "\"city\" : NR % 3 == 1 ? \"other_large\" : \"other_small\"); "
              "print $1 \",\" $2 \",\" g }' units.csv > lyg.csv && "
              "$HOTLINE units import lyg.csv");
    s_check_workbook ("lianyungang-2017", "2025-07", 3);
}

/* The 金台区 golden stream of July 2025, with one unit too small to rank. */
static void
s_feed_golden (harness_t *harness)
{
    char *err = NULL;
    int rc = harness_run (harness, NULL, &err,
                          "$SYNTH --scheme jintai-2025 --golden "
                          "%s/jintai_2025_07.csv --units units.csv --events "
                          "events.jsonl --extra-small-unit && $HOTLINE units "
                          "import units.csv && $HOTLINE send events.jsonl",
                          GOLDEN_DIR);
    cr_assert_eq (rc, 0, "feeding the golden stream failed: %s", err);
    free (err);
}

Test (bulletin, prints_the_golden_month_as_valid_html_with_the_reports_numbers)
{
    s_feed_golden (&h);
    s_run_ok ("$HOTLINE report --period 2025-07 --format json > r.json && "
              "$HOTLINE report --period 2025-07 --format html > r.html");
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "tidy -e -q r.html");
    cr_expect_eq (rc, 0, "tidy -e finds fault with the page (%d): %s%s", rc,
                  out, err);
    free (out);
    free (err);
    rc = harness_run (&h, &out, &err,
                      "/usr/bin/python3 %s/bulletin_html.py r.json r.html",
                      TESTS_DIR);
    cr_expect_eq (rc, 0, "%s%s", out, err);
    free (out);
    free (err);
    s_keep ("r.html", "jintai-2025.html");
}

Test (bulletin, writes_csv_for_excel_with_a_byte_order_mark_and_chinese_labels)
{
    s_feed_golden (&h);
    char *out = NULL;
    int rc = harness_run (&h, &out, NULL,
                          "$HOTLINE report --period 2025-07 --format csv "
                          "--excel");
    cr_assert_eq (rc, 0);
    cr_assert (strncmp (out, "\xEF\xBB\xBF", 3) == 0, "no byte order mark");
    const char *header = "表,排名,单位编码,单位,应办结,办结数,按期办结数,"
                         "逾期退单,逾期办结,不满意,返工,办结(30),"
                         "按期办结(30),逾期退单(10),告警工单(5),工作量(5),"
                         "满意度(10),返工(10),总分,备注\r\n";
    cr_assert (strncmp (out + 3, header, strlen (header)) == 0, "%s", out);
    cr_assert_not_null (strstr (out, "\r\n镇街,1,"), "%s", out);
    cr_assert_not_null (strstr (out, ",应办结不足5件\r\n"), "%s", out);
    free (out);
    rc = harness_run (&h, &out, NULL,
                      "$HOTLINE report --period 2025-07 --format csv");
    cr_assert_eq (rc, 0);
    cr_assert (strncmp (out, "group,rank,unit_id,unit,", 24) == 0, "%s", out);
    free (out);
}

Test (bulletin, imports_a_gbk_units_file_as_its_utf8_twin)
{
    harness_t twin;
    harness_init (&twin, "event");
    cr_assert (harness_start (&twin));
    s_feed_golden (&h);
    char command[1024];
    snprintf (command, sizeof command,
              "iconv -f UTF-8 -t GBK '%s/units.csv' > gbk.csv && $SYNTH "
              "--scheme jintai-2025 --golden %s/jintai_2025_07.csv --units "
              "unused.csv --events events.jsonl --extra-small-unit",
              h.dir, GOLDEN_DIR);
    char *out = NULL, *err = NULL;
    cr_assert_eq (s_sh (&twin, NULL, &err, "%s", command), 0, "%s", err);
    free (err);
    /* Without --encoding the file is refused, naming its first line of
       GBK and what to do; nothing is imported. */
    int rc = harness_run (&twin, &out, &err, "$HOTLINE units import gbk.csv");
    cr_expect_eq (rc, 1);
    cr_expect (strstr (err, "gbk.csv:2: not UTF-8 text") != NULL, "%s", err);
    cr_expect (strstr (err, "save it as UTF-8 or pass --encoding gbk") != NULL,
               "%s", err);
    free (out);
    free (err);
    rc = harness_run (&twin, &out, &err,
                      "$HOTLINE units import gbk.csv --encoding gbk");
    cr_assert_eq (rc, 0, "%s", err);
    cr_expect (strstr (out, "\"added\":28") != NULL, "%s", out);
    free (out);
    free (err);
    cr_assert_eq (harness_run (&twin, NULL, &err, "$HOTLINE send events.jsonl"),
                  0, "%s", err);
    free (err);
    /* The same registry, unit by unit, and so the same report. */
    char *units = NULL, *twin_units = NULL;
    cr_assert_eq (harness_run (&h, &units, NULL, "$HOTLINE units list"), 0);
    cr_assert_eq (harness_run (&twin, &twin_units, NULL, "$HOTLINE units list"),
                  0);
    cr_expect_str_eq (units, twin_units);
    cr_expect (strstr (twin_units, "\"name\":\"东风路街道办事处\"") != NULL,
               "%s", twin_units);
    free (units);
    free (twin_units);
    char *a = NULL, *b = NULL;
    cr_assert_eq (harness_run (&h, &a, NULL,
                               "$HOTLINE report --period 2025-07 "
                               "--format json"),
                  0);
    cr_assert_eq (harness_run (&twin, &b, NULL,
                               "$HOTLINE report --period 2025-07 "
                               "--format json"),
                  0);
    cr_expect_str_eq (a, b);
    cr_expect (strstr (b, "东风路街道办事处") != NULL, "%s", b);
    free (a);
    free (b);
    harness_fini (&twin);
}

Test (bulletin, sends_event_lines_saved_in_gbk_with_encoding_gbk)
{
    s_run_ok ("printf '%s\\n' unit_id,name,group U01,单位一,town > u.csv && "
              "$HOTLINE units import u.csv");
    s_run_ok ("printf '%s\\n' '{\"event_id\":\"g1\",\"type\":\"received\","
              "\"ticket_id\":\"T1\",\"unit_id\":\"U01\",\"occurred_at\":"
              "\"2025-07-01T09:10:00+08:00\",\"dispatched_at\":"
              "\"2025-07-01T09:00:00+08:00\",\"due_at\":"
              "\"2025-07-04T18:00:00+08:00\",\"channel\":\"hotline\","
              "\"category\":\"property\"}' '{\"event_id\":\"g2\",\"type\":"
              "\"returned\",\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
              "\"occurred_at\":\"2025-07-01T10:00:00+08:00\",\"reason\":"
              "\"不属于本单位职责\"}' | iconv -f UTF-8 -t GBK > gbk.jsonl");
    char *err = NULL;
    int rc = harness_run (&h, NULL, &err, "$HOTLINE send gbk.jsonl");
    cr_expect_eq (rc, 1);
    cr_expect (strstr (err, "gbk.jsonl:2: rejected: not UTF-8 text") != NULL,
               "%s", err);
    cr_expect (strstr (err, "gbk.jsonl:1:") == NULL, "%s", err);
    free (err);
    rc = harness_run (&h, NULL, &err, "$HOTLINE send --encoding gbk gbk.jsonl");
    cr_expect_eq (rc, 0, "%s", err);
    cr_expect (strstr (err, "1 stored, 1 already stored") != NULL, "%s", err);
    free (err);
}

Test (bulletin, refuses_report_options_that_do_not_go_together)
{
    static const struct {
        const char *args;    /* report options */
        const char *message; /* what hotline says */
    } cases[] = {
        {"--format pdf", "--format must be table, csv, json, xlsx or html"},
        {"--excel", "--excel goes with --format csv"},
        {"--format csv --width 80", "--width goes with --format table"},
        {"--format html --trend 3", "--trend goes with --format xlsx"},
        {"--format xlsx --output x.xlsx --trend 1",
         "--trend must be a whole number from 2 to 24, not 1"},
        {"--width -1", "--width must be a whole number from 0 to 10000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *err = NULL;
        int rc = s_sh (&h, NULL, &err, "$HOTLINE report %s", cases[i].args);
        cr_expect_eq (rc, 2, "%s: exit %d", cases[i].args, rc);
        cr_expect (strstr (err, cases[i].message) != NULL, "%s: %s",
                   cases[i].args, err);
        free (err);
    }
    char *err = NULL;
    int rc =
        s_sh (&h, NULL, &err, "$HOTLINE units import --encoding latin1 x.csv");
    cr_expect_eq (rc, 2);
    cr_expect (strstr (err, "--encoding must be utf-8 or gbk, not latin1"),
               "%s", err);
    free (err);
}
