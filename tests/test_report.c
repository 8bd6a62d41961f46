/*  Tests for reports (report.h): the scorecard read from a store the
    state machine filled (fixture.h), report rows, as-of reports. */
#include "fixture.h"
#include "report.h"
#include "testutil.h"

#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef HOTLINE_RULESETS_DIR
#define HOTLINE_RULESETS_DIR "rulesets"
#endif

TestSuite (report, .init = fx_setup, .fini = fx_teardown);

/* ---- the report ---------------------------------------------------------- */

/* Five tickets for U01, all on time; five for U02, one late; six for U03;
   two for U04 (left out: should_close < 5). */
static void
s_report_month (void)
{
    const char *units[4] = {"U01", "U02", "U03", "U04"};
    const int tickets[4] = {5, 5, 6, 2};
    for (int u = 0; u < 4; u++)
        for (int i = 0; i < tickets[u]; i++) {
            char ticket[16];
            snprintf (ticket, sizeof (ticket), "%s-%d", units[u], i);
            fx_open (ticket, units[u], "2025-07-01 09:00", "2025-07-03 18:00");
        }
    for (int u = 0; u < 4; u++)
        for (int i = 0; i < tickets[u]; i++) {
            char ticket[16];
            snprintf (ticket, sizeof (ticket), "%s-%d", units[u], i);
            bool late = u == 1 && i == 0;
            if (!late)
                fx_close (ticket, units[u], "2025-07-02 09:00");
        }
    fx_close ("U02-0", "U02", "2025-07-04 09:00");
}

static cJSON *
s_field (cJSON *obj, const char *name)
{
    cJSON *item = cJSON_GetObjectItem (obj, name);
    cr_assert_not_null (item, "no field %s", name);
    return item;
}

Test (report, the_report_lists_ranked_rows_counters_items_and_exclusions)
{
    s_report_month ();
    char err[256] = "";
    rules_set_t *set = rules_set_load (NULL, err);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (fx_store, false);
    char *json = report_json (txn, rs, "2025-07", 0, err);
    store_abort (&txn);
    cr_assert_not_null (json, "%s", err);

    /* Items are shown with exactly two decimals. */
    cr_assert_not_null (strstr (json, "\"closure\":30.00"), "%s", json);
    cr_assert_not_null (strstr (json, "\"on_time\":24.00"), "%s", json);
    cr_assert_not_null (strstr (json, "\"total\":100.00"), "%s", json);

    cJSON *doc = cJSON_Parse (json);
    cr_assert_not_null (doc, "%s", json);
    cr_assert_str_eq (s_field (doc, "ruleset")->valuestring, "jintai-2025");
    cr_assert_str_eq (s_field (doc, "period")->valuestring, "2025-07");
    cr_assert_str_eq (s_field (doc, "as_of")->valuestring,
                      "2025-07-04T09:00:00+08:00");
    cr_assert_eq (cJSON_GetArraySize (s_field (doc, "items")), 7);
    cr_assert_str_eq (
        s_field (cJSON_GetArrayItem (s_field (doc, "items"), 0), "id")
            ->valuestring,
        "closure");
    cr_assert_str_eq (
        cJSON_GetArrayItem (s_field (doc, "counters"), 0)->valuestring,
        "should_close");

    cJSON *tables = s_field (doc, "tables");
    cr_assert_eq (cJSON_GetArraySize (tables), 2);
    cJSON *town = cJSON_GetArrayItem (tables, 0);
    cr_assert_str_eq (s_field (town, "group")->valuestring, "town");
    cr_assert_str_eq (s_field (town, "title")->valuestring, "镇街");
    cJSON *rows = s_field (town, "rows");
    cr_assert_eq (cJSON_GetArraySize (rows), 2, "U04 is left out");
    cJSON *first = cJSON_GetArrayItem (rows, 0);
    cJSON *second = cJSON_GetArrayItem (rows, 1);
    cr_assert_str_eq (s_field (first, "unit_id")->valuestring, "U01");
    cr_assert_str_eq (s_field (first, "unit")->valuestring, "城关街道");
    cr_assert_eq (s_field (first, "rank")->valueint, 1);
    cr_assert_float_eq (s_field (first, "total")->valuedouble, 99.16, 1e-9);
    cr_assert_str_eq (s_field (second, "unit_id")->valuestring, "U02");
    cr_assert_eq (s_field (second, "rank")->valueint, 2);
    cr_assert_float_eq (s_field (second, "total")->valuedouble, 92.66, 1e-9);
    cJSON *counters = s_field (second, "counters");
    cr_assert_eq (s_field (counters, "should_close")->valueint, 5);
    cr_assert_eq (s_field (counters, "closed_on_time")->valueint, 4);
    cr_assert_eq (s_field (counters, "closed_late")->valueint, 1);
    cJSON *items = s_field (second, "items");
    cr_assert_float_eq (s_field (items, "alert")->valuedouble, 4.5, 1e-9);
    cr_assert_float_eq (s_field (items, "workload")->valuedouble, 4.16, 1e-9);

    cJSON *dept = s_field (cJSON_GetArrayItem (tables, 1), "rows");
    cr_assert_eq (cJSON_GetArraySize (dept), 1);
    cr_assert_str_eq (
        s_field (cJSON_GetArrayItem (dept, 0), "unit_id")->valuestring, "U03");
    cr_assert_eq (s_field (cJSON_GetArrayItem (dept, 0), "rank")->valueint, 1);

    cJSON *excluded = s_field (doc, "excluded");
    cr_assert_eq (cJSON_GetArraySize (excluded), 1);
    cJSON *left_out = cJSON_GetArrayItem (excluded, 0);
    cr_assert_str_eq (s_field (left_out, "unit_id")->valuestring, "U04");
    cr_assert_str_eq (s_field (left_out, "reason")->valuestring,
                      "应办结不足5件");
    cJSON_Delete (doc);
    free (json);
    rules_set_destroy (&set);
}

Test (report, the_report_without_a_period_uses_the_clocks_period)
{
    char err[256] = "";
    rules_set_t *set = rules_set_load (NULL, err);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (fx_store, false);
    char *json = report_json (txn, rs, "", 0, err);
    store_abort (&txn);
    cr_assert_null (json);
    cr_assert_str_eq (err, "no events stored yet: give a period");

    fx_open ("T1", "U01", "2025-08-03 09:00", "2025-08-06 18:00");
    txn = store_begin (fx_store, false);
    json = report_json (txn, rs, "", 0, err);
    store_abort (&txn);
    cr_assert_not_null (json, "%s", err);
    cr_assert_not_null (strstr (json, "\"period\":\"2025-08\""), "%s", json);
    free (json);
    rules_set_destroy (&set);
}

Test (report, the_report_refuses_a_bad_period_or_one_of_the_wrong_kind)
{
    fx_open ("T1", "U01", "2025-07-03 09:00", "2025-07-06 18:00");
    char err[256] = "";
    rules_set_t *set = rules_set_load (NULL, err);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_null (report_json (txn, rs, "2025-13", 0, err));
    cr_assert_str_eq (err, "bad period \"2025-13\": use YYYY-MM or YYYY-Qn");
    cr_assert_null (report_json (txn, rs, "2025-Q3", 0, err));
    cr_assert_str_eq (err, "ruleset jintai-2025 is monthly: the period must "
                           "look like 2025-07");
    store_abort (&txn);
    rules_set_destroy (&set);
}

/* The "as_of" a report states, into out (64 bytes). */
static void
s_report_as_of (store_txn_t *txn, const rules_ruleset_t *rs, int64_t as_of,
                char *out)
{
    char err[256] = "";
    char *json = report_json (txn, rs, "2025-07", as_of, err);
    cr_assert_not_null (json, "%s", err);
    cJSON *doc = cJSON_Parse (json);
    free (json);
    snprintf (out, 64, "%s", s_field (doc, "as_of")->valuestring);
    cJSON_Delete (doc);
}

Test (report, the_report_as_of_an_earlier_moment_replays_the_log_up_to_it)
{
    /* T1 is due on the 6th and closed late on the 8th; T2 arrives on the
       9th. As of the 7th, T1 was overdue and open and T2 did not exist. */
    fx_open ("T1", "U01", "2025-07-03 09:00", "2025-07-06 18:00");
    fx_close ("T1", "U01", "2025-07-08 10:00");
    fx_open ("T2", "U01", "2025-07-09 09:00", "2025-07-12 18:00");
    fx_tick ("2025-08-01 00:00");
    char err[256] = "", when[64];
    rules_set_t *set = rules_set_load (NULL, err);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (fx_store, false);
    s_report_as_of (txn, rs, fx_ms ("2025-07-07 00:00"), when);
    cr_expect_str_eq (when, "2025-07-07T00:00:00+08:00");
    /* The replay's counters, read the way the report reads them. */
    char dir[] = "/tmp/hotline-replay-test-XXXXXX";
    cr_assert_not_null (mkdtemp (dir));
    store_t *scratch = store_new (dir, 0, err);
    cr_assert_not_null (scratch, "%s", err);
    cr_assert_eq (state_replay (txn, scratch, fx_ms ("2025-07-07 00:00"), err),
                  0, "%s", err);
    store_txn_t *read = store_begin (scratch, false);
    uint8_t key[STORE_KEY_MAX];
    size_t size = state_counter_key (key, "2025-07", "U01", "", "");
    int32_t c[RULES_STORED_COUNTERS];
    cr_assert_eq (store_get_i32 (read, STORE_COUNTERS, key, size, c,
                                 RULES_STORED_COUNTERS),
                  0);
    cr_expect_eq (c[RULES_RECEIVED], 1, "T2 had not arrived");
    cr_expect_eq (c[RULES_CLOSED], 0, "T1 was still open");
    cr_expect_eq (c[RULES_OVERDUE_OPEN], 1, "T1 was past its deadline");
    cr_expect_eq (state_clock_now (read), fx_ms ("2025-07-07 00:00"));
    store_abort (&read);
    store_destroy (&scratch);
    testutil_remove_tree (dir);
    /* The live store is untouched: T1 closed late, T2 open. */
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 2);
    store_abort (&txn);
    rules_set_destroy (&set);
}

/* The rows report_rows hands out, in order. */
typedef struct {
    char units[8][16]; /* unit ids */
    char *rows[8];     /* their rows (copies) */
    size_t count;      /* how many */
} s_rows_t;

static void
s_take_row (void *arg, const char *unit_id, const char *json)
{
    s_rows_t *rows = arg;
    cr_assert_lt (rows->count, 8);
    snprintf (rows->units[rows->count], 16, "%s", unit_id);
    rows->rows[rows->count++] = strdup (json);
}

/* A ruleset from text, that must load. */
static rules_ruleset_t *
s_load (const char *text)
{
    char err[256] = "";
    rules_ruleset_t *rs = rules_ruleset_load (text, "t.zpl", err);
    cr_assert_not_null (rs, "%s", err);
    return rs;
}

Test (report, report_rows_give_one_json_line_per_unit_of_the_tables)
{
    s_report_month ();
    char err[256] = "";
    rules_set_t *set = rules_set_load (NULL, err);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    proto_period_t period;
    cr_assert_eq (proto_period_parse ("2025-07", &period), 0);
    store_txn_t *txn = store_begin (fx_store, false);
    s_rows_t rows = {0};
    cr_assert_eq (report_rows (txn, rs, period, s_take_row, &rows, err), 0,
                  "%s", err);
    store_abort (&txn);
    cr_assert_eq (rows.count, 4);
    cr_assert_str_eq (rows.units[0], "U01", "registry order");
    cJSON *doc = cJSON_Parse (rows.rows[0]);
    cr_assert_str_eq (s_field (doc, "ruleset")->valuestring, "jintai-2025");
    cr_assert_str_eq (s_field (doc, "period")->valuestring, "2025-07");
    cr_assert_eq (s_field (doc, "rank")->valueint, 1);
    cr_assert (cJSON_IsFalse (s_field (doc, "excluded")));
    cJSON_Delete (doc);
    cr_assert_str_eq (rows.units[3], "U04");
    doc = cJSON_Parse (rows.rows[3]);
    cr_assert (cJSON_IsTrue (s_field (doc, "excluded")));
    cr_assert (cJSON_IsNull (s_field (doc, "rank")));
    cJSON_Delete (doc);
    for (size_t i = 0; i < rows.count; i++)
        free (rows.rows[i]);
    rules_set_destroy (&set);
}

Test (report, the_report_of_a_quarterly_ruleset_uses_adjusted_manual_items)
{
    rules_ruleset_t *rs = s_load ("ruleset\n"
                                  "    id = quarterly\n"
                                  "    period = quarter\n"
                                  "    rank = none\n"
                                  "    tables\n"
                                  "        town = Towns\n"
                                  "    items\n"
                                  "        knowledge_base\n"
                                  "            manual = 10\n"
                                  "        closure\n"
                                  "            formula = \"closed\"\n");
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-02 09:00");
    fx_open ("T2", "U01", "2025-09-01 09:00", "2025-09-04 18:00");
    fx_close ("T2", "U01", "2025-09-02 09:00");
    fx_apply (fx_adjusted ("U01", "2025-Q3", "knowledge_base", 9.5,
                           "2025-10-02 09:00"));
    fx_apply (fx_adjusted ("U02", "2025-07", "knowledge_base", 1,
                           "2025-10-02 09:00"));
    char err[256] = "";
    store_txn_t *txn = store_begin (fx_store, false);
    char *json = report_json (txn, rs, "2025-Q3", 0, err);
    store_abort (&txn);
    cr_assert_not_null (json, "%s", err);
    cJSON *doc = cJSON_Parse (json);
    cJSON *rows =
        s_field (cJSON_GetArrayItem (s_field (doc, "tables"), 0), "rows");
    cr_assert_eq (cJSON_GetArraySize (rows), 3, "registry order, unranked");
    cJSON *u01 = cJSON_GetArrayItem (rows, 0);
    cJSON *u02 = cJSON_GetArrayItem (rows, 1);
    cr_assert_str_eq (s_field (u01, "unit_id")->valuestring, "U01");
    cr_assert (cJSON_IsNull (s_field (u01, "rank")));
    cr_assert_float_eq (
        s_field (s_field (u01, "items"), "knowledge_base")->valuedouble, 9.5,
        1e-9);
    cr_assert_float_eq (
        s_field (s_field (u01, "items"), "closure")->valuedouble, 2, 1e-9);
    cr_assert_str_eq (s_field (u02, "unit_id")->valuestring, "U02");
    cr_assert_float_eq (
        s_field (s_field (u02, "items"), "knowledge_base")->valuedouble, 10,
        1e-9, "a monthly adjustment does not count for the quarter");
    cr_assert_not_null (strstr (json, "\"knowledge_base\":9.50"), "%s", json);
    cJSON_Delete (doc);
    free (json);
    rules_ruleset_destroy (&rs);
}

/* Regressions found by fuzz/fuzz_ruleset (fuzz/crashes/). */
