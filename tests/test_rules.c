/*  Tests for the rules module (rules.h): formulas, rulesets, scoring.

    Pure: this suite links the rules module and nothing else (no czmq, no
    ZeroMQ, no LMDB, no protobuf), which proves the module stands alone
    (tests/CMakeLists.txt, test_rules). */
#include "rules_internal.h"
#include "testutil.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HOTLINE_RULESETS_DIR
#define HOTLINE_RULESETS_DIR "rulesets"
#endif

Test (rules, counter_names_and_lookup_agree)
{
    for (int c = 0; c < RULES_COUNTERS; c++)
        cr_assert_eq (rules_counter_lookup (rules_counter_name (c)), c);
    cr_assert_eq (rules_counter_lookup ("closed"), RULES_CLOSED);
    cr_assert_eq (rules_counter_lookup ("should_close"), RULES_SHOULD_CLOSE);
    cr_assert_eq (rules_counter_lookup ("nothing"), -1);
    cr_assert_str_eq (rules_counter_name (RULES_COUNTERS), "?");
    cr_assert_str_eq (rules_counter_name (-1), "?");
    double counters[RULES_COUNTERS] = {0};
    counters[RULES_CLOSED] = 10;
    counters[RULES_CLOSED_ON_TIME] = 7;
    counters[RULES_OVERDUE_OPEN] = 2;
    rules_counters_derive (counters);
    cr_assert_eq (counters[RULES_SHOULD_CLOSE], 12);
    cr_assert_eq (counters[RULES_CLOSED_LATE], 3);
}

/* ---- expressions --------------------------------------------------------- */

static double
s_eval_with (const char *text, const double *vars)
{
    char err[256] = "";
    rules_expr_t *expr =
        rules_expr_compile (text, rules_resolve_counter, NULL, err);
    cr_assert_not_null (expr, "%s: %s", text, err);
    double value = rules_expr_eval (expr, vars);
    rules_expr_destroy (&expr);
    cr_assert_null (expr);
    return value;
}

static double
s_eval (const char *text)
{
    static const double zero[RULES_VAR_COUNT];
    return s_eval_with (text, zero);
}

/* Compiles a formula that must fail; the message must contain `expected`. */
static void
s_expr_error (const char *text, const char *expected)
{
    char err[256] = "";
    rules_expr_t *expr =
        rules_expr_compile (text, rules_resolve_counter, NULL, err);
    cr_assert_null (expr, "\"%s\" compiled", text);
    cr_assert_not_null (strstr (err, expected), "\"%s\": \"%s\" lacks \"%s\"",
                        text, err, expected);
}

Test (expr, arithmetic_follows_the_usual_precedence)
{
    cr_assert_eq (s_eval ("1 + 2 * 3"), 7);
    cr_assert_eq (s_eval ("(1 + 2) * 3"), 9);
    cr_assert_eq (s_eval ("10 - 4 - 3"), 3, "left to right");
    cr_assert_eq (s_eval ("8 / 4 / 2"), 1, "left to right");
    cr_assert_eq (s_eval ("2 * 3 + 4 * 5"), 26);
    cr_assert_eq (s_eval ("1+2*3-4/2"), 5, "no spaces needed");
    cr_assert_float_eq (s_eval ("30 * 7 / 9"), 210.0 / 9, 1e-12);
    cr_assert_float_eq (s_eval (".5 + 1.25e1"), 13.0, 1e-12);
}

Test (expr, unary_minus_and_not_bind_tighter_than_products)
{
    cr_assert_eq (s_eval ("-2 * 3"), -6);
    cr_assert_eq (s_eval ("2 * -3"), -6);
    cr_assert_eq (s_eval ("--2"), 2);
    cr_assert_eq (s_eval ("2 - -1"), 3);
    cr_assert_eq (s_eval ("-(1 + 2)"), -3);
    cr_assert_eq (s_eval ("not 0"), 1);
    cr_assert_eq (s_eval ("not 3"), 0);
    cr_assert_eq (s_eval ("!0 + 1"), 2);
}

Test (expr, functions_clamp0_min_max_abs_and_if)
{
    cr_assert_eq (s_eval ("clamp0(-3)"), 0);
    cr_assert_eq (s_eval ("clamp0(2.5)"), 2.5);
    cr_assert_eq (s_eval ("clamp0(10 - 0.5 * 30)"), 0);
    cr_assert_eq (s_eval ("min(3, 4)"), 3);
    cr_assert_eq (s_eval ("max(3, 4)"), 4);
    cr_assert_eq (s_eval ("abs(-2.5)"), 2.5);
    cr_assert_eq (s_eval ("if(1, 2, 3)"), 2);
    cr_assert_eq (s_eval ("if(0, 2, 3)"), 3);
    cr_assert_eq (s_eval ("if(1 > 2, 10, min(5, max(1, 2)))"), 2);
    cr_assert_eq (s_eval ("max(min(1, 2), -abs(-7)) * 2"), 2);
}

Test (expr, comparisons_and_logic_give_one_or_zero)
{
    cr_assert_eq (s_eval ("1 < 2"), 1);
    cr_assert_eq (s_eval ("2 <= 2"), 1);
    cr_assert_eq (s_eval ("3 > 4"), 0);
    cr_assert_eq (s_eval ("2 >= 3"), 0);
    cr_assert_eq (s_eval ("2 == 2"), 1);
    cr_assert_eq (s_eval ("2 != 2"), 0);
    cr_assert_eq (s_eval ("1 + 1 == 2"), 1, "sums before comparisons");
    cr_assert_eq (s_eval ("1 < 2 and 3 > 4"), 0);
    cr_assert_eq (s_eval ("1 < 2 or 3 > 4"), 1);
    cr_assert_eq (s_eval ("1 or 0 and 0"), 1, "and binds tighter than or");
    cr_assert_eq (s_eval ("(1 or 0) and 0"), 0);
    cr_assert_eq (s_eval ("2 && 3"), 1);
    cr_assert_eq (s_eval ("0 || 0"), 0);
    cr_assert_eq (s_eval ("(1 < 2) * 5"), 5);
}

Test (expr, division_by_a_counter_that_is_zero_gives_zero)
{
    cr_assert_eq (s_eval ("30 * closed / should_close"), 0);
    double vars[RULES_VAR_COUNT] = {0};
    vars[RULES_CLOSED] = 9;
    vars[RULES_SHOULD_CLOSE] = 10;
    cr_assert_eq (s_eval_with ("30 * closed / should_close", vars), 27);
}

Test (expr, counters_and_aggregates_resolve_to_their_slots)
{
    cr_assert_eq (rules_resolve_counter ("closed", NULL), RULES_CLOSED);
    cr_assert_eq (rules_resolve_counter ("closed_late", NULL),
                  RULES_CLOSED_LATE);
    cr_assert_eq (rules_resolve_counter ("max_closed", NULL),
                  RULES_VAR_AGG + 3 * RULES_CLOSED);
    cr_assert_eq (rules_resolve_counter ("mean_rework", NULL),
                  RULES_VAR_AGG + 3 * RULES_REWORK + 1);
    cr_assert_eq (rules_resolve_counter ("sum_received", NULL),
                  RULES_VAR_AGG + 3 * RULES_RECEIVED + 2);
    cr_assert_eq (rules_resolve_counter ("max_nothing", NULL), -1);
    cr_assert_eq (rules_resolve_counter ("min_closed", NULL), -1);
    cr_assert_eq (rules_resolve_counter ("closure", NULL), -1);

    double vars[RULES_VAR_COUNT] = {0};
    vars[RULES_CLOSED] = 6;
    vars[RULES_VAR_AGG + 3 * RULES_CLOSED] = 8;
    cr_assert_eq (s_eval_with ("5 * closed / max_closed", vars), 3.75);
    char err[256];
    rules_expr_t *expr = rules_expr_compile ("5 * closed / max_closed",
                                             rules_resolve_counter, NULL, err);
    cr_assert (rules_expr_uses (expr, RULES_CLOSED));
    cr_assert (rules_expr_uses (expr, RULES_VAR_AGG + 3 * RULES_CLOSED));
    cr_assert_not (rules_expr_uses (expr, RULES_REWORK));
    rules_expr_destroy (&expr);
    rules_expr_destroy (&expr);
}

Test (expr, an_unknown_name_is_an_error_with_its_column)
{
    s_expr_error ("closed + closedd", "unknown name closedd");
    s_expr_error ("closed + closedd", "column 10");
}

Test (expr, an_unknown_function_is_an_error)
{
    s_expr_error ("sqrt(4)", "unknown function sqrt");
    s_expr_error ("closed(1)", "unknown function closed");
}

Test (expr, a_wrong_argument_count_is_an_error)
{
    s_expr_error ("min(1)", "min takes 2 arguments");
    s_expr_error ("clamp0(1, 2)", "clamp0 takes 1 argument");
    s_expr_error ("if(1, 2)", "if takes 3 arguments");
    s_expr_error ("abs()", "unexpected");
}

Test (expr, unbalanced_parentheses_are_an_error)
{
    s_expr_error ("(1 + 2", "expected )");
    s_expr_error ("min(1, 2", "expected )");
    s_expr_error ("1 + 2)", "unexpected text");
}

Test (expr, trailing_text_is_an_error)
{
    s_expr_error ("1 2", "unexpected text");
    s_expr_error ("closed closed", "unexpected text");
    s_expr_error ("1 < 2 < 3", "unexpected text");
    s_expr_error ("1 + 2 ;", "unexpected text");
}

Test (expr, an_empty_or_cut_formula_is_an_error)
{
    s_expr_error ("", "unexpected end");
    s_expr_error ("   ", "unexpected end");
    s_expr_error ("1 +", "unexpected end");
    s_expr_error ("1 + $", "unexpected character");
}

Test (expr, an_overflowing_number_a_long_or_a_deep_formula_is_an_error)
{
    s_expr_error ("1e400", "bad number");
    char text[2048] = "1";
    for (int i = 0; i < 200; i++)
        strcat (text, "+1");
    s_expr_error (text, "formula too long");
    strcpy (text, "1");
    for (int i = 0; i < 70; i++)
        strcat (text, "+(1");
    for (int i = 0; i < 70; i++)
        strcat (text, ")");
    s_expr_error (text, "nested too deeply");
    /* Just within the limits it compiles. */
    strcpy (text, "1");
    for (int i = 0; i < 60; i++)
        strcat (text, "+(1");
    for (int i = 0; i < 60; i++)
        strcat (text, ")");
    cr_assert_eq (s_eval (text), 61);
}

/* ---- rulesets ------------------------------------------------------------ */

/* A file's whole text, or NULL. */
static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *text = calloc (1, (size_t)size + 1);
    size_t got = fread (text, 1, (size_t)size, file);
    fclose (file);
    text[got] = 0;
    return text;
}

static void
s_write_file (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file, "%s: %s", path, strerror (errno));
    fputs (text, file);
    fclose (file);
}

/* `text` with the first `from` replaced by `to`; the caller frees it. */
static char *
s_replace (const char *text, const char *from, const char *to)
{
    const char *at = strstr (text, from);
    cr_assert_not_null (at, "no \"%s\" in the text", from);
    size_t head = (size_t)(at - text);
    char *out = malloc (strlen (text) + strlen (to) + 1);
    memcpy (out, text, head);
    strcpy (out + head, to);
    strcat (out, at + strlen (from));
    return out;
}

static rules_ruleset_t *
s_load (const char *text)
{
    char err[256] = "";
    rules_ruleset_t *rs = rules_ruleset_load (text, "t.zpl", err);
    cr_assert_not_null (rs, "%s", err);
    return rs;
}

/* Loads a ruleset that must be refused with exactly `expected`. */
static void
s_load_error (const char *text, const char *expected)
{
    char err[256] = "";
    rules_ruleset_t *rs = rules_ruleset_load (text, "t.zpl", err);
    cr_assert_null (rs, "loaded:\n%s", text);
    cr_assert_str_eq (err, expected);
}

Test (ruleset, the_shipped_jintai_2025_loads)
{
    char *text = s_read_file (HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    cr_assert_not_null (text, "cannot read %s",
                        HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    char err[256] = "";
    rules_ruleset_t *rs = rules_ruleset_load (text, "jintai-2025.zpl", err);
    cr_assert_not_null (rs, "%s", err);
    cr_assert_str_eq (rules_ruleset_id (rs), "jintai-2025");
    cr_assert_eq (rules_ruleset_period_kind (rs), RULES_MONTH);
    cr_assert_eq (rs->total, RULES_TOTAL_SUM_SHOWN);
    cr_assert_eq (rs->rank, RULES_RANK_SEQUENTIAL);
    cr_assert_eq (rs->tiebreak, RULES_CLOSED);
    cr_assert_not_null (rs->exclude);
    // The reason is given in words (docs/bulletin.md), not as the rule.
    cr_assert_str_eq (rs->exclude_text, "应办结不足5件");
    cr_assert_eq (rs->table_count, 2);
    cr_assert_str_eq (rs->tables[0].group, "town");
    cr_assert_str_eq (rs->tables[0].title, "镇街");
    cr_assert_str_eq (rs->tables[1].group, "dept");
    cr_assert_eq (rs->item_count, 7);
    const char *ids[7] = {"closure",  "on_time",      "overdue_return", "alert",
                          "workload", "satisfaction", "rework"};
    double points = 0;
    for (int i = 0; i < 7; i++) {
        cr_assert_str_eq (rs->items[i].id, ids[i]);
        cr_assert_eq (rs->items[i].round, RULES_ROUND_T2);
        cr_assert_not_null (rs->items[i].formula);
        points += rs->items[i].points;
    }
    cr_assert_eq (points, 100);
    cr_assert_str_eq (rs->items[0].label, "办结");
    cr_assert_eq (rs->counter_count, 7);
    cr_assert_eq (rs->counters[0], RULES_SHOULD_CLOSE);
    cr_assert (rules_expr_uses (rs->items[4].formula,
                                RULES_VAR_AGG + 3 * RULES_CLOSED));
    rules_ruleset_destroy (&rs);
    cr_assert_null (rs);
    rules_ruleset_destroy (&rs);
    free (text);
}

/* A small valid ruleset; the tests below break one line of it. */
#define S_HEAD                                                                 \
    "ruleset\n"                                                                \
    "    id = small\n"

#define S_TABLES                                                               \
    "    tables\n"                                                             \
    "        town = Towns\n"

#define S_ITEMS                                                                \
    "    items\n"                                                              \
    "        closure_item\n"                                                   \
    "            formula = \"10 * closed / should_close\"\n"

Test (ruleset, a_minimal_ruleset_takes_the_defaults)
{
    rules_ruleset_t *rs = s_load (S_HEAD S_TABLES S_ITEMS);
    cr_assert_str_eq (rs->id, "small");
    cr_assert_str_eq (rs->title, "small");
    cr_assert_eq (rs->period, RULES_MONTH);
    cr_assert_eq (rs->total, RULES_TOTAL_ROUND_SUM);
    cr_assert_eq (rs->rank, RULES_RANK_SEQUENTIAL);
    cr_assert_eq (rs->tiebreak, -1);
    cr_assert_null (rs->exclude);
    cr_assert_eq (rs->counter_count, 0);
    cr_assert_eq (rs->items[0].round, RULES_ROUND_R2);
    cr_assert_str_eq (rs->items[0].label, "closure_item");
    rules_ruleset_destroy (&rs);
}

Test (ruleset, text_that_is_not_zpl_is_refused)
{
    char err[256] = "";
    cr_assert_null (rules_ruleset_load ("{\"ruleset\": 1}\n", "t.zpl", err));
    cr_assert_not_null (strstr (err, "t.zpl:"), "%s", err);
    cr_assert_not_null (strstr (err, "not valid ZPL"), "%s", err);
    cr_assert_null (
        rules_ruleset_load ("ruleset\n  id = two-spaces\n", "t.zpl", err));
    cr_assert_not_null (strstr (err, "not valid ZPL"), "%s", err);
}

Test (ruleset, a_text_without_a_ruleset_section_is_refused)
{
    s_load_error ("other\n    key = value\n", "t.zpl: no ruleset section");
}

Test (ruleset, a_missing_id_is_refused)
{
    char err[256] = "";
    cr_assert_null (
        rules_ruleset_load ("ruleset\n" S_TABLES S_ITEMS, "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "missing or overlong id"), "%s", err);
}

Test (ruleset, a_bad_period_is_refused_at_its_line)
{
    s_load_error (S_HEAD "    period = weekly\n" S_TABLES S_ITEMS,
                  "t.zpl:3: period must be month or quarter");
}

Test (ruleset, a_bad_total_is_refused_at_its_line)
{
    s_load_error (S_HEAD "    period = quarter\n"
                         "    total = average\n" S_TABLES S_ITEMS,
                  "t.zpl:4: total must be sum_shown, round_sum or an item "
                  "id, not average");
}

Test (ruleset, a_bad_total_in_the_shipped_file_is_reported_at_its_own_line)
{
    /* The file's header comment mentions "the total" on line 2; the error
       must point at the key on line 8. */
    char *text = s_read_file (HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    cr_assert_not_null (text);
    char *broken = s_replace (text, "total = sum_shown", "total = average");
    char err[256] = "";
    cr_assert_null (rules_ruleset_load (broken, "jintai-2025.zpl", err));
    cr_expect_str_eq (err, "jintai-2025.zpl:8: total must be sum_shown, "
                           "round_sum or an item id, not average");
    free (broken);
    free (text);
}

Test (ruleset, a_bad_rank_is_refused_at_its_line)
{
    s_load_error (S_HEAD "    rank = dense\n" S_TABLES S_ITEMS,
                  "t.zpl:3: rank must be sequential, competition or none");
}

Test (ruleset, an_unknown_tiebreak_counter_is_refused)
{
    s_load_error (S_HEAD "    tiebreak = bogus\n" S_TABLES S_ITEMS,
                  "t.zpl:3: unknown counter bogus");
}

Test (ruleset, an_unknown_counter_in_the_listed_counters_is_refused)
{
    s_load_error (S_HEAD "    counters = \"closed, bogus\"\n" S_TABLES S_ITEMS,
                  "t.zpl:3: unknown counter bogus");
}

Test (ruleset, a_ruleset_without_tables_is_refused)
{
    char err[256] = "";
    cr_assert_null (rules_ruleset_load (S_HEAD S_ITEMS, "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "no tables"), "%s", err);
}

Test (ruleset, an_empty_tables_section_is_refused)
{
    s_load_error (S_HEAD "    tables\n" S_ITEMS,
                  "t.zpl:3: no tables: list the unit groups");
}

Test (ruleset, a_ruleset_without_an_items_section_is_refused)
{
    char err[256] = "";
    cr_assert_null (rules_ruleset_load (S_HEAD S_TABLES, "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "no items"), "%s", err);
}

Test (ruleset, a_ruleset_without_items_is_refused)
{
    s_load_error (S_HEAD S_TABLES "    items\n", "t.zpl:5: no items");
}

Test (ruleset, an_item_with_both_formula_and_manual_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "        knowledge\n"
                                          "            formula = \"1\"\n"
                                          "            manual = 10\n",
                  "t.zpl:8: item knowledge needs exactly one of formula or "
                  "manual");
}

Test (ruleset, an_item_with_neither_formula_nor_manual_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "        knowledge\n"
                                          "            points = 10\n",
                  "t.zpl:8: item knowledge needs exactly one of formula or "
                  "manual");
}

Test (ruleset, a_manual_item_needs_a_number)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "        knowledge\n"
                                          "            manual = ten\n",
                  "t.zpl:8: item knowledge: manual needs a number (its "
                  "default)");
}

Test (ruleset, an_item_referring_to_an_unknown_name_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS
                  "        second_item\n"
                  "            formula = \"closure_item + bogus\"\n",
                  "t.zpl:9: item second_item: unknown name bogus at column "
                  "16 of \"closure_item + bogus\"");
}

Test (ruleset, an_item_may_refer_to_an_item_defined_later)
{
    rules_ruleset_t *rs = s_load (S_HEAD S_TABLES "    items\n"
                                                  "        early_item\n"
                                                  "            formula = "
                                                  "\"late_item + 1\"\n"
                                                  "        late_item\n"
                                                  "            formula = "
                                                  "\"2\"\n");
    cr_assert_eq (rs->item_count, 2);
    /* late_item is evaluated first. */
    cr_expect_eq (rs->order[0], 1);
    cr_expect_eq (rs->order[1], 0);
    rules_ruleset_destroy (&rs);
}

Test (ruleset, a_circular_reference_between_items_is_refused)
{
    s_load_error (S_HEAD S_TABLES "    items\n"
                                  "        a_item\n"
                                  "            formula = \"b_item + 1\"\n"
                                  "        b_item\n"
                                  "            formula = \"a_item * 2\"\n",
                  "t.zpl:8: circular reference between items: a_item -> "
                  "b_item -> a_item");
    s_load_error (S_HEAD S_TABLES "    items\n"
                                  "        self_item\n"
                                  "            formula = \"self_item + 1\"\n",
                  "t.zpl:6: circular reference between items: self_item -> "
                  "self_item");
}

Test (ruleset, a_division_by_a_constant_zero_is_refused)
{
    s_load_error (S_HEAD S_TABLES
                  "    items\n"
                  "        ratio\n"
                  "            formula = \"closed / (2 - 2)\"\n",
                  "t.zpl:7: item ratio: division by a constant zero at column "
                  "17 of \"closed / (2 - 2)\"");
}

Test (ruleset, an_item_may_refer_to_earlier_items)
{
    rules_ruleset_t *rs = s_load (S_HEAD S_TABLES S_ITEMS
                                  "        bonus_item\n"
                                  "            manual = 2\n"
                                  "        sum_item\n"
                                  "            formula = \"closure_item + "
                                  "bonus_item\"\n"
                                  "            round = none\n");
    cr_assert_eq (rs->item_count, 3);
    cr_assert_null (rs->items[1].formula);
    cr_assert_eq (rs->items[1].default_value, 2);
    cr_assert (rules_expr_uses (rs->items[2].formula, RULES_VAR_ITEM + 0));
    cr_assert (rules_expr_uses (rs->items[2].formula, RULES_VAR_ITEM + 1));
    cr_assert_eq (rs->items[2].round, RULES_ROUND_NONE);
    rules_ruleset_destroy (&rs);
}

Test (ruleset, a_duplicate_item_id_is_refused)
{
    char err[256] = "";
    cr_assert_null (rules_ruleset_load (S_HEAD S_TABLES S_ITEMS
                                        "        closure_item\n"
                                        "            formula = \"2\"\n",
                                        "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "item closure_item defined twice"), "%s",
                        err);
}

Test (ruleset, a_bad_round_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "            round = t3\n",
                  "t.zpl:6: item closure_item: round must be t2, r2, pct0 or "
                  "none");
}

Test (ruleset, a_bad_exclude_rule_is_refused)
{
    s_load_error (S_HEAD "    exclude = \"should_close <\"\n" S_TABLES S_ITEMS,
                  "t.zpl:3: exclude: unexpected end at column 15 of "
                  "\"should_close <\"");
}

Test (ruleset, the_exclude_rule_may_use_every_item)
{
    rules_ruleset_t *rs = s_load (
        S_HEAD
        "    exclude = \"closure_item < 5 or closed == 0\"\n" S_TABLES S_ITEMS);
    cr_assert_not_null (rs->exclude);
    cr_assert (rules_expr_uses (rs->exclude, RULES_VAR_ITEM + 0));
    rules_ruleset_destroy (&rs);
}

Test (ruleset, the_embedded_set_holds_jintai_2025)
{
    char err[256] = "";
    rules_set_t *set = rules_set_load (NULL, err);
    cr_assert_not_null (set, "%s", err);
    cr_assert_geq (rules_set_size (set), 1);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    cr_assert_not_null (rs);
    cr_assert_eq (rs->item_count, 7);
    cr_assert_null (rules_set_find (set, "nope"));
    cr_assert_null (rules_set_at (set, rules_set_size (set)));
    bool found = false;
    for (size_t i = 0; i < rules_set_size (set); i++)
        found |= rules_set_at (set, i) == rs;
    cr_assert (found);
    rules_set_destroy (&set);
    cr_assert_null (set);
    rules_set_destroy (&set);
}

/* A temporary directory for ruleset files; the caller removes it. */
static void
s_ruleset_dir (char *dir)
{
    strcpy (dir, "/tmp/hl_test_rulesets_XXXXXX");
    cr_assert_not_null (mkdtemp (dir));
}

#define S_EXTRA                                                                \
    "ruleset\n"                                                                \
    "    id = extra-test\n"                                                    \
    "    period = quarter\n" S_TABLES S_ITEMS

Test (ruleset, a_directory_adds_its_rulesets_to_the_embedded_ones)
{
    char err[256] = "", dir[64], path[128];
    rules_set_t *base = rules_set_load (NULL, err);
    cr_assert_not_null (base, "%s", err);
    size_t embedded = rules_set_size (base);
    rules_set_destroy (&base);

    s_ruleset_dir (dir);
    snprintf (path, sizeof (path), "%s/extra.zpl", dir);
    s_write_file (path, S_EXTRA);
    snprintf (path, sizeof (path), "%s/notes.txt", dir);
    s_write_file (path, "not a ruleset, and not read\n");
    rules_set_t *set = rules_set_load (dir, err);
    testutil_remove_tree (dir);
    cr_assert_not_null (set, "%s", err);
    cr_assert_eq (rules_set_size (set), embedded + 1);
    const rules_ruleset_t *rs = rules_set_find (set, "extra-test");
    cr_assert_not_null (rs);
    cr_assert_eq (rules_ruleset_period_kind (rs), RULES_QUARTER);
    cr_assert_not_null (rules_set_find (set, "jintai-2025"));
    rules_set_destroy (&set);
}

Test (ruleset, a_file_with_a_loaded_id_replaces_that_ruleset)
{
    char err[256] = "", dir[64], path[128];
    rules_set_t *base = rules_set_load (NULL, err);
    size_t embedded = rules_set_size (base);
    rules_set_destroy (&base);

    s_ruleset_dir (dir);
    snprintf (path, sizeof (path), "%s/mine.zpl", dir);
    s_write_file (path, "ruleset\n"
                        "    id = jintai-2025\n"
                        "    title = Replaced\n" S_TABLES S_ITEMS);
    rules_set_t *set = rules_set_load (dir, err);
    testutil_remove_tree (dir);
    cr_assert_not_null (set, "%s", err);
    cr_assert_eq (rules_set_size (set), embedded);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    cr_assert_str_eq (rs->title, "Replaced");
    cr_assert_eq (rs->item_count, 1);
    rules_set_destroy (&set);
}

Test (ruleset, a_bad_file_in_the_directory_fails_the_whole_load_naming_it)
{
    char err[256] = "", dir[64], path[128];
    s_ruleset_dir (dir);
    snprintf (path, sizeof (path), "%s/a-good.zpl", dir);
    s_write_file (path, S_EXTRA);
    snprintf (path, sizeof (path), "%s/b-bad.zpl", dir);
    s_write_file (path, S_HEAD "    period = weekly\n" S_TABLES S_ITEMS);
    rules_set_t *set = rules_set_load (dir, err);
    testutil_remove_tree (dir);
    cr_assert_null (set);
    cr_assert_not_null (strstr (err, path), "%s", err);
    cr_assert_not_null (strstr (err, "period must be month or quarter"), "%s",
                        err);
}

Test (ruleset, a_missing_directory_fails_the_load)
{
    char err[256] = "";
    rules_set_t *set =
        rules_set_load ("/tmp/hl_test_no_such_dir/rulesets", err);
    cr_assert_null (set);
    cr_assert_not_null (strstr (err, "/tmp/hl_test_no_such_dir/rulesets"), "%s",
                        err);
}

/* ---- scoring ------------------------------------------------------------- */

/* Units and inputs for the pure scoring tests. */
typedef struct {
    rules_unit_t units[8];
    rules_input_t in[8];
    rules_output_t out[8];
    size_t count;
} s_board_t;

static rules_input_t *
s_add (s_board_t *b, const char *id, const char *group)
{
    size_t i = b->count++;
    rules_unit_t *u = &b->units[i];
    memset (u, 0, sizeof (*u));
    snprintf (u->unit_id, sizeof (u->unit_id), "%s", id);
    snprintf (u->name, sizeof (u->name), "%s", id);
    snprintf (u->group, sizeof (u->group), "%s", group);
    u->order = (uint32_t)i + 1;
    rules_input_t *in = &b->in[i];
    memset (in, 0, sizeof (*in));
    in->unit = u;
    for (int m = 0; m < RULES_ITEMS_MAX; m++)
        in->manual[m] = NAN;
    return in;
}

static void
s_score (const rules_ruleset_t *rs, s_board_t *b)
{
    for (size_t i = 0; i < b->count; i++)
        rules_counters_derive (b->in[i].counters);
    char err[256] = "";
    cr_assert_eq (rules_score (rs, b->in, b->count, b->out, err), 0, "%s", err);
}

Test (score, t2_truncates_and_r2_rounds_half_up_as_decimals_do)
{
    cr_assert_eq (rules_round (10 - 0.02 * 4, RULES_ROUND_T2), 9.92);
    cr_assert_eq (rules_round (29.999, RULES_ROUND_T2), 29.99);
    cr_assert_eq (rules_round (30.0 * 7 / 9, RULES_ROUND_T2), 23.33);
    cr_assert_eq (rules_round (0.29 * 100 / 100, RULES_ROUND_T2), 0.29);
    cr_assert_eq (rules_round (-1.237, RULES_ROUND_T2), -1.23);
    cr_assert_eq (rules_round (1.005, RULES_ROUND_R2), 1.01);
    cr_assert_eq (rules_round (2.675, RULES_ROUND_R2), 2.68);
    cr_assert_eq (rules_round (23.335, RULES_ROUND_R2), 23.34);
    cr_assert_eq (rules_round (23.334999, RULES_ROUND_R2), 23.33);
    cr_assert_eq (rules_round (-1.005, RULES_ROUND_R2), -1.01);
    cr_assert_eq (rules_round (87.5, RULES_ROUND_PCT0), 88);
    cr_assert_eq (rules_round (100.0 * 7 / 8, RULES_ROUND_PCT0), 88);
    cr_assert_eq (rules_round (87.49, RULES_ROUND_PCT0), 87);
    cr_assert_eq (rules_round (1.23456, RULES_ROUND_NONE), 1.23456);
}

Test (score, jintai_2025_scores_a_bulletin_row_to_the_cent)
{
    char err[256] = "";
    rules_set_t *set = rules_set_load (NULL, err);
    cr_assert_not_null (set, "%s", err);
    const rules_ruleset_t *rs = rules_set_find (set, "jintai-2025");
    s_board_t b = {.count = 0};
    rules_input_t *in = s_add (&b, "U01", "town");
    in->counters[RULES_CLOSED] = 98;
    in->counters[RULES_OVERDUE_OPEN] = 2;
    in->counters[RULES_CLOSED_ON_TIME] = 95;
    in->counters[RULES_RETURNED_LATE] = 1;
    in->counters[RULES_UNSATISFIED] = 4;
    in->counters[RULES_REWORK] = 2;
    in = s_add (&b, "U02", "dept");
    in->counters[RULES_CLOSED] = 120;
    in->counters[RULES_CLOSED_ON_TIME] = 120;
    s_score (rs, &b);
    const double expected[7] = {29.40, 28.50, 9.50, 3.50, 4.08, 9.92, 9.00};
    for (int i = 0; i < 7; i++)
        cr_assert_eq (b.out[0].shown[i], expected[i], "item %s: %.17g",
                      rs->items[i].id, b.out[0].shown[i]);
    cr_assert_eq (b.out[0].total, 93.90, "%.17g", b.out[0].total);
    cr_assert_eq (b.out[0].table, 0);
    cr_assert_eq (b.out[0].rank, 1);
    cr_assert_eq (b.out[1].table, 1);
    cr_assert_eq (b.out[1].shown[4], 5.00, "the largest closed gets 5");
    cr_assert_eq (b.out[1].total, 100.00);
    rules_set_destroy (&set);
}

#define S_ROUNDING(total)                                                      \
    "ruleset\n"                                                                \
    "    id = thirds\n"                                                        \
    "    total = " total "\n" S_TABLES "    items\n"                           \
    "        one\n"                                                            \
    "            formula = \"1 / 3\"\n"                                        \
    "            round = t2\n"                                                 \
    "        two\n"                                                            \
    "            formula = \"1 / 3\"\n"                                        \
    "            round = t2\n"                                                 \
    "        three\n"                                                          \
    "            formula = \"1 / 3\"\n"                                        \
    "            round = t2\n"

Test (score, sum_shown_adds_the_shown_items_and_round_sum_rounds_the_raw_sum)
{
    rules_ruleset_t *shown = s_load (S_ROUNDING ("sum_shown"));
    rules_ruleset_t *rounded = s_load (S_ROUNDING ("round_sum"));
    s_board_t b = {.count = 0};
    s_add (&b, "U01", "town");
    s_score (shown, &b);
    cr_assert_eq (b.out[0].shown[0], 0.33);
    cr_assert_eq (b.out[0].total, 0.99);
    s_score (rounded, &b);
    cr_assert_eq (b.out[0].shown[0], 0.33);
    cr_assert_eq (b.out[0].total, 1.00);
    rules_ruleset_destroy (&shown);
    rules_ruleset_destroy (&rounded);
}

#define S_RANKED(rank, exclude)                                                \
    "ruleset\n"                                                                \
    "    id = ranked\n"                                                        \
    "    total = sum_shown\n"                                                  \
    "    rank = " rank "\n"                                                    \
    "    tiebreak = closed\n"                                                  \
    "    exclude = \"" exclude "\"\n"                                          \
    "    tables\n"                                                             \
    "        town = Towns\n"                                                   \
    "        dept = Departments\n"                                             \
    "    items\n"                                                              \
    "        base\n"                                                           \
    "            formula = \"10 - rework\"\n"                                  \
    "            round = t2\n"                                                 \
    "        workload\n"                                                       \
    "            formula = \"closed / max_closed\"\n"                          \
    "            round = none\n"

Test (score, sequential_ranks_break_ties_by_the_counter_then_registry_order)
{
    /* Totals depend on rework only, so closed can differ at equal totals. */
    rules_ruleset_t *rs =
        s_load ("ruleset\n"
                "    id = ranked\n"
                "    rank = sequential\n"
                "    tiebreak = closed\n" S_TABLES "    items\n"
                "        base\n"
                "            formula = \"10 - rework\"\n");
    s_board_t b = {.count = 0};
    rules_input_t *a = s_add (&b, "A", "town");
    rules_input_t *bb = s_add (&b, "B", "town");
    rules_input_t *c = s_add (&b, "C", "town");
    rules_input_t *d = s_add (&b, "D", "town");
    a->counters[RULES_REWORK] = 1;
    a->counters[RULES_CLOSED] = 3;
    bb->counters[RULES_REWORK] = 1;
    bb->counters[RULES_CLOSED] = 5;
    c->counters[RULES_REWORK] = 1;
    c->counters[RULES_CLOSED] = 3;
    d->counters[RULES_REWORK] = 0;
    d->counters[RULES_CLOSED] = 1;
    s_score (rs, &b);
    cr_assert_eq (b.out[3].rank, 1, "D: the highest total");
    cr_assert_eq (b.out[1].rank, 2, "B: more closed");
    cr_assert_eq (b.out[0].rank, 3, "A: registry order before C");
    cr_assert_eq (b.out[2].rank, 4);
    rules_ruleset_destroy (&rs);
}

Test (score, competition_ranks_share_a_rank_and_skip_the_next)
{
    rules_ruleset_t *rs =
        s_load ("ruleset\n"
                "    id = competition\n"
                "    rank = competition\n" S_TABLES "    items\n"
                "        base\n"
                "            formula = \"10 - rework\"\n");
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town");
    s_add (&b, "B", "town")->counters[RULES_REWORK] = 1;
    s_add (&b, "C", "town");
    s_add (&b, "D", "town")->counters[RULES_REWORK] = 2;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].rank, 1);
    cr_assert_eq (b.out[2].rank, 1);
    cr_assert_eq (b.out[1].rank, 3);
    cr_assert_eq (b.out[3].rank, 4);
    rules_ruleset_destroy (&rs);
}

Test (score, an_unranked_scheme_gives_rank_zero)
{
    rules_ruleset_t *rs = s_load ("ruleset\n"
                                  "    id = unranked\n"
                                  "    rank = none\n" S_TABLES S_ITEMS);
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town")->counters[RULES_CLOSED] = 3;
    s_add (&b, "B", "town")->counters[RULES_CLOSED] = 1;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].rank, 0);
    cr_assert_eq (b.out[1].rank, 0);
    cr_assert_eq (b.out[0].total, 10);
    rules_ruleset_destroy (&rs);
}

Test (score, excluded_units_are_scored_but_not_ranked)
{
    rules_ruleset_t *rs = s_load (S_RANKED ("sequential", "should_close < 5"));
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town")->counters[RULES_CLOSED] = 4;
    s_add (&b, "B", "town")->counters[RULES_CLOSED] = 5;
    rules_input_t *c = s_add (&b, "C", "town");
    c->counters[RULES_CLOSED] = 3;
    c->counters[RULES_OVERDUE_OPEN] = 2;
    s_score (rs, &b);
    cr_assert (b.out[0].excluded);
    cr_assert_eq (b.out[0].rank, 0);
    cr_assert_eq (b.out[0].total, 10.80, "%.17g", b.out[0].total);
    cr_assert_not (b.out[1].excluded);
    cr_assert_not (b.out[2].excluded);
    cr_assert_eq (b.out[1].rank, 1);
    cr_assert_eq (b.out[2].rank, 2);
    rules_ruleset_destroy (&rs);
}

/* Every unit is listed: a unit whose group no table names gets a table
   of its own group after the ruleset's, is ranked there, and counts in
   the report-wide values like every other unit. */
Test (score, units_of_an_unnamed_group_get_a_table_of_their_own_and_count)
{
    rules_ruleset_t *rs = s_load (S_RANKED ("sequential", "0"));
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town")->counters[RULES_CLOSED] = 4;
    s_add (&b, "X", "street")->counters[RULES_CLOSED] = 100;
    s_add (&b, "D", "dept")->counters[RULES_CLOSED] = 8;
    s_add (&b, "Y", "street")->counters[RULES_CLOSED] = 50;
    s_add (&b, "Z", "key_assist")->counters[RULES_CLOSED] = 10;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].table, 0);
    cr_assert_eq (b.out[2].table, 1);
    cr_assert_eq (b.out[1].table, 2, "street: the first group of its own");
    cr_assert_eq (b.out[3].table, 2, "the same group, the same table");
    cr_assert_eq (b.out[4].table, 3, "key_assist: the next one");
    cr_assert_eq (b.out[0].shown[1], 0.04, "max_closed is 100, X's");
    cr_assert_eq (b.out[1].rank, 1, "ranked within its own table");
    cr_assert_eq (b.out[3].rank, 2);
    cr_assert_eq (b.out[4].rank, 1);
    cr_assert_eq (b.out[0].rank, 1);
    cr_assert_eq (b.out[2].rank, 1);
    int tables[5];
    cr_assert_eq (rules_tables_assign (rs, b.units, 5, tables), 4,
                  "two tables of the ruleset, two of their own");
    for (int u = 0; u < 5; u++)
        cr_assert_eq (tables[u], b.out[u].table, "the same assignment");
    rules_ruleset_destroy (&rs);
}

Test (score, a_manual_item_takes_its_default_unless_set)
{
    rules_ruleset_t *rs = s_load ("ruleset\n"
                                  "    id = manual\n"
                                  "    rank = none\n" S_TABLES "    items\n"
                                  "        knowledge\n"
                                  "            manual = 10\n"
                                  "        double_it\n"
                                  "            formula = \"knowledge * 2\"\n");
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town");
    s_add (&b, "B", "town")->manual[0] = 7.5;
    s_add (&b, "C", "town")->manual[0] = 0;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].shown[0], 10);
    cr_assert_eq (b.out[0].shown[1], 20);
    cr_assert_eq (b.out[1].shown[0], 7.5);
    cr_assert_eq (b.out[1].shown[1], 15);
    cr_assert_eq (b.out[1].total, 22.5);
    cr_assert_eq (b.out[2].shown[0], 0, "zero is a value, not unset");
    rules_ruleset_destroy (&rs);
}

Test (score, an_item_that_is_not_a_number_is_an_error)
{
    rules_ruleset_t *rs = s_load ("ruleset\n"
                                  "    id = huge\n" S_TABLES "    items\n"
                                  "        huge_item\n"
                                  "            formula = \"1e308 * 10\"\n");
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town");
    char err[256] = "";
    cr_assert_eq (rules_score (rs, b.in, b.count, b.out, err), -1);
    cr_assert_str_eq (
        err, "huge: item huge_item is not a usable number for unit A (inf)");
    rules_ruleset_destroy (&rs);
}

Test (expr, a_formula_nested_too_deeply_is_refused_not_a_stack_overflow)
{
    /* 3000 brackets once overflowed the parser's recursion. */
    size_t n = 3000;
    char *text = malloc (2 * n + 2);
    memset (text, '(', n);
    text[n] = '1';
    memset (text + n + 1, ')', n);
    text[2 * n + 1] = 0;
    char err[256];
    rules_expr_t *expr =
        rules_expr_compile (text, rules_resolve_counter, NULL, err);
    cr_expect_null (expr);
    cr_expect (strstr (err, "nested too deeply") != NULL, "%s", err);
    rules_expr_destroy (&expr);
    /* A long chain of signs too. */
    memset (text, '-', 2 * n);
    text[2 * n] = '1';
    text[2 * n + 1] = 0;
    expr = rules_expr_compile (text, rules_resolve_counter, NULL, err);
    cr_expect_null (expr);
    rules_expr_destroy (&expr);
    free (text);
}

Test (score, an_item_beyond_any_score_is_an_error_not_an_overflow)
{
    /* 9999999999999995 * closed overflowed the totals' cents. */
    rules_ruleset_t *rs = s_load ("ruleset\n"
                                  "    id = huge\n"
                                  "    tables\n"
                                  "        town = Towns\n"
                                  "    items\n"
                                  "        big\n"
                                  "            formula = "
                                  "\"9999999999999995 * closed\"\n");
    rules_unit_t unit = {"A", "A", "town", 1};
    rules_input_t in;
    memset (&in, 0, sizeof (in));
    in.unit = &unit;
    in.counters[RULES_CLOSED] = 3;
    in.bonus = NAN;
    for (int i = 0; i < RULES_ITEMS_MAX; i++)
        in.manual[i] = NAN;
    rules_output_t out;
    char err[256] = "";
    cr_expect_eq (rules_score (rs, &in, 1, &out, err), -1);
    cr_expect (strstr (err, "not a usable number") != NULL, "%s", err);
    rules_ruleset_destroy (&rs);
}
