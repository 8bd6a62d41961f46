/*  Tests for report_format: the report JSON as a terminal table and as CSV.

    Output is captured with open_memstream, so each test reads back exactly
    the bytes the formatter wrote.
*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "report_format.h"

#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two tables, one row with a note that holds commas and a quote, one row
   unranked, one excluded unit: every branch of both formatters. */
static const char *s_report =
    "{\"ruleset\":\"jintai-2025\","
    "\"title\":\"金台区12345政务服务便民热线工单办理情况\","
    "\"period\":\"2025-07\",\"as_of\":\"2025-08-01T00:00:00+08:00\","
    "\"items\":[{\"id\":\"closure\",\"label\":\"办结\",\"points\":30},"
    "{\"id\":\"workload\",\"label\":\"工作量\",\"points\":5},"
    "{\"id\":\"bonus\",\"points\":2.5}],"
    "\"counters\":[\"should_close\",\"closed\",\"mystery\"],"
    "\"tables\":["
    "{\"group\":\"town\",\"title\":\"镇街\",\"rows\":["
    "{\"rank\":1,\"unit_id\":\"J01\",\"unit\":\"群众路街道办事处\","
    "\"counters\":{\"should_close\":132,\"closed\":132,\"mystery\":7},"
    "\"items\":{\"closure\":30,\"workload\":1.81,\"bonus\":0.5},"
    "\"total\":96.73,\"note\":\"\"},"
    "{\"rank\":2,\"unit_id\":\"J02\",\"unit\":\"陈仓镇\","
    "\"counters\":{\"should_close\":1234,\"closed\":1200,\"mystery\":0},"
    "\"items\":{\"closure\":29.17,\"workload\":5,\"bonus\":2.5},"
    "\"total\":100.5,\"note\":\"\"},"
    "{\"rank\":10,\"unit_id\":\"J03\",\"unit\":\"Test Unit\","
    "\"counters\":{\"should_close\":9,\"closed\":8,\"mystery\":1},"
    "\"items\":{\"closure\":26.66,\"workload\":0.11,\"bonus\":0},"
    "\"total\":8.3,\"note\":\"\"}]},"
    "{\"group\":\"dept\",\"title\":\"部门\",\"rows\":["
    "{\"rank\":1,\"unit_id\":\"D01\",\"unit\":\"区住建局\","
    "\"counters\":{\"should_close\":40,\"closed\":40,\"mystery\":2},"
    "\"items\":{\"closure\":30,\"workload\":0.55,\"bonus\":1},"
    "\"total\":95.4,\"note\":\"10月逾期2件,11月逾期1件\"},"
    "{\"rank\":null,\"unit_id\":\"D02\",\"unit\":\"区\\\"城管\\\"局\","
    "\"counters\":{\"should_close\":12,\"closed\":11,\"mystery\":3},"
    "\"items\":{\"closure\":27.5,\"workload\":0.15,\"bonus\":2},"
    "\"total\":77,\"note\":\"\"}]}],"
    "\"excluded\":[{\"unit_id\":\"J99\",\"unit\":\"小样本测试单位\","
    "\"reason\":\"should_close < 5\"}]}";

/* Runs a formatter into memory. Returns the owned output; *rc and err get
   the formatter's answer. */
static char *
s_capture (int (*format) (const char *, FILE *, char *), const char *json,
           int *rc, char *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    cr_assert_not_null (out);
    *rc = format (json, out, err);
    fclose (out);
    return text;
}

/* Returns the owned output of a formatter that must succeed. */
static char *
s_format_ok (int (*format) (const char *, FILE *, char *), const char *json)
{
    char err[REPORT_FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (format, json, &rc, err);
    cr_assert_eq (rc, 0, "formatter failed: %s", err);
    return text;
}

/* Copies the lines of the table titled `title` (header, rule and rows, up to
   the next blank line) into lines[]; returns how many. */
static size_t
s_table_lines (const char *text, const char *title, char lines[][512],
               size_t max)
{
    char heading[128];
    snprintf (heading, sizeof heading, "\n%s\n", title);
    const char *at = strstr (text, heading);
    cr_assert_not_null (at, "no table titled %s", title);
    at += strlen (heading);
    size_t count = 0;
    while (*at && *at != '\n' && count < max) {
        const char *end = strchr (at, '\n');
        cr_assert_not_null (end);
        size_t length = (size_t)(end - at);
        cr_assert_lt (length, 512);
        memcpy (lines[count], at, length);
        lines[count][length] = '\0';
        count++;
        at = end + 1;
    }
    return count;
}

/* Splits a table line into cells (runs of text separated by two or more
   spaces) and stores the display column where each starts and ends. */
static size_t
s_cell_columns (const char *line, size_t *starts, size_t *ends, size_t max)
{
    size_t count = 0;
    size_t column = 0;
    const char *at = line;
    while (*at && count < max) {
        while (*at == ' ') {
            at++;
            column++;
        }
        if (!*at)
            break;
        starts[count] = column;
        const char *end = at;
        while (*end && !(end[0] == ' ' && (end[1] == ' ' || end[1] == '\0')))
            end++;
        char cell[512];
        memcpy (cell, at, (size_t)(end - at));
        cell[end - at] = '\0';
        column += report_display_width (cell);
        ends[count++] = column;
        at = end;
    }
    return count;
}

Test (report_format, counts_one_column_per_ascii_character)
{
    cr_assert_eq (report_display_width (""), 0);
    cr_assert_eq (report_display_width ("J01"), 3);
    cr_assert_eq (report_display_width ("96.73"), 5);
    cr_assert_eq (report_display_width (NULL), 0);
}

Test (report_format, counts_two_columns_per_cjk_character)
{
    cr_assert_eq (report_display_width ("陈仓镇"), 6);
    cr_assert_eq (report_display_width ("群众路街道办事处"), 16);
    // Hangul, fullwidth digits, an ideographic comma and Extension B.
    cr_assert_eq (report_display_width ("한"), 2);
    cr_assert_eq (report_display_width ("１２"), 4);
    cr_assert_eq (report_display_width ("，"), 2);
    cr_assert_eq (report_display_width ("\xF0\xA0\x80\x80"), 2);
}

Test (report_format, counts_mixed_text_by_character_kind)
{
    cr_assert_eq (report_display_width ("办结(30)"), 8);
    cr_assert_eq (report_display_width ("10月逾期2件"), 11);
    // é and the ellipsis are narrow even though they take several bytes.
    cr_assert_eq (report_display_width ("caf\xC3\xA9\xE2\x80\xA6"), 5);
}

Test (report_format, counts_each_invalid_byte_as_one_column)
{
    cr_assert_eq (report_display_width ("a\xFF"
                                        "b"),
                  3);
    // A truncated three-byte sequence, then an overlong '/'.
    cr_assert_eq (report_display_width ("\xE9\x99"), 2);
    cr_assert_eq (report_display_width ("\xC0\xAF"), 2);
}

Test (report_format, writes_the_title_line_tables_ranks_and_two_decimals)
{
    char *text = s_format_ok (report_format_table, s_report);
    const char *title = "金台区12345政务服务便民热线工单办理情况  2025-07  "
                        "jintai-2025  截至 2025-08-01T00:00:00+08:00\n";
    cr_assert (strncmp (text, title, strlen (title)) == 0, "%s", text);
    cr_assert_not_null (strstr (text, "\n镇街\n"));
    cr_assert_not_null (strstr (text, "\n部门\n"));
    cr_assert_not_null (strstr (text, "96.73"));
    cr_assert_not_null (strstr (text, "100.50"));
    cr_assert_not_null (strstr (text, "30.00"));
    cr_assert_not_null (strstr (text, "  8.30"));
    cr_assert_not_null (strstr (text, "\n  10  Test Unit"), "%s", text);
    free (text);
}

Test (report_format, labels_counters_in_chinese_and_items_with_points)
{
    char *text = s_format_ok (report_format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_geq (count, 2);
    cr_assert_str_eq (lines[0],
                      "排名  单位              应办结  办结数  mystery  "
                      "办结(30)  工作量(5)  bonus(2.5)    总分");
    cr_assert_not_null (strstr (text, "\n未参与排名\n"));
    free (text);
}

Test (report_format, aligns_cjk_names_by_display_width)
{
    char *text = s_format_ok (report_format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_eq (count, 5, "header, rule and three rows:\n%s", text);
    // Without notes the last column is right-aligned, so a table whose
    // columns line up is a rectangle.
    size_t width = report_display_width (lines[0]);
    for (size_t i = 1; i < count; i++)
        cr_assert_eq (report_display_width (lines[i]), width,
                      "line %zu is off:\n%s", i, text);

    size_t head_starts[16], head_ends[16];
    size_t cells = s_cell_columns (lines[0], head_starts, head_ends, 16);
    cr_assert_eq (cells, 9);
    for (size_t i = 2; i < count; i++) {
        size_t starts[16], ends[16];
        cr_assert_eq (s_cell_columns (lines[i], starts, ends, 16), cells);
        // 单位 is left-aligned, every other column right-aligned.
        cr_assert_eq (starts[1], head_starts[1], "unit in line %zu", i);
        for (size_t cell = 0; cell < cells; cell++)
            if (cell != 1)
                cr_assert_eq (ends[cell], head_ends[cell],
                              "column %zu of line %zu:\n%s", cell, i, text);
    }
    free (text);
}

Test (report_format, shows_notes_in_an_aligned_column_only_when_present)
{
    char *text = s_format_ok (report_format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "部门", lines, 16);
    cr_assert_eq (count, 4);
    cr_assert_not_null (strstr (lines[0], "备注"));
    cr_assert_not_null (strstr (lines[2], "10月逾期2件,11月逾期1件"));
    size_t starts[16], ends[16], head_starts[16], head_ends[16];
    size_t cells = s_cell_columns (lines[0], head_starts, head_ends, 16);
    cr_assert_eq (s_cell_columns (lines[2], starts, ends, 16), cells);
    cr_assert_eq (starts[cells - 1], head_starts[cells - 1]);
    // The row without a note ends at 总分, with no trailing spaces.
    size_t length = strlen (lines[3]);
    cr_assert_neq (lines[3][length - 1], ' ');

    char town[16][512];
    size_t town_count = s_table_lines (text, "镇街", town, 16);
    cr_assert_gt (town_count, 0);
    cr_assert_null (strstr (town[0], "备注"));
    free (text);
}

Test (report_format, prints_a_null_rank_as_a_dash)
{
    char *text = s_format_ok (report_format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "部门", lines, 16);
    cr_assert_eq (count, 4);
    cr_assert (strncmp (lines[3], "   -  区\"城管\"局", 20) == 0, "%s",
               lines[3]);
    free (text);
}

Test (report_format, lists_excluded_units_with_reasons_after_the_tables)
{
    char *text = s_format_ok (report_format_table, s_report);
    const char *excluded = strstr (text, "\n未参与排名\n");
    cr_assert_not_null (excluded);
    cr_assert_gt (excluded, strstr (text, "\n部门\n"));
    cr_assert_not_null (strstr (excluded, "小样本测试单位  should_close < 5\n"),
                        "%s", excluded);
    free (text);
}

Test (report_format, leaves_out_the_excluded_list_when_nobody_is_excluded)
{
    char *text = s_format_ok (report_format_table,
                              "{\"tables\":[{\"group\":\"town\",\"rows\":[]}],"
                              "\"excluded\":[]}");
    cr_assert_null (strstr (text, "未参与排名"));
    // A table without a title is headed by its group.
    cr_assert_not_null (strstr (text, "\ntown\n排名  单位  总分\n"), "%s",
                        text);
    free (text);
}

Test (report_format, turns_control_characters_in_names_into_spaces)
{
    char *text =
        s_format_ok (report_format_table,
                     "{\"tables\":[{\"title\":\"T\",\"rows\":[{\"rank\":1,"
                     "\"unit\":\"a\\nb\\u001b[31m\",\"total\":1}]}]}");
    cr_assert_null (strchr (text, '\x1b'));
    cr_assert_not_null (strstr (text, "a b [31m"), "%s", text);
    free (text);
}

Test (report_format, writes_one_csv_header_with_counter_ids_and_item_scores)
{
    char *text = s_format_ok (report_format_csv, s_report);
    const char *header = "group,rank,unit_id,unit,should_close,closed,mystery,"
                         "closure_score,workload_score,bonus_score,total,"
                         "note\r\n";
    cr_assert (strncmp (text, header, strlen (header)) == 0, "%s", text);
    cr_assert_not_null (strstr (text, "\r\ntown,1,J01,群众路街道办事处,132,132,"
                                      "7,30.00,1.81,0.50,96.73,\r\n"),
                        "%s", text);
    cr_assert_not_null (strstr (text, "\r\ntown,2,J02,陈仓镇,1234,1200,0,"
                                      "29.17,5.00,2.50,100.50,\r\n"));
    free (text);
}

Test (report_format, quotes_csv_fields_holding_commas_or_quotes)
{
    char *text = s_format_ok (report_format_csv, s_report);
    cr_assert_not_null (strstr (text, "\r\ndept,1,D01,区住建局,40,40,2,30.00,"
                                      "0.55,1.00,95.40,"
                                      "\"10月逾期2件,11月逾期1件\"\r\n"),
                        "%s", text);
    // A null rank is an empty field; quotes in a name are doubled.
    cr_assert_not_null (strstr (text, "\r\ndept,,D02,\"区\"\"城管\"\"局\","),
                        "%s", text);
    free (text);
}

Test (report_format, writes_excluded_units_as_csv_rows_with_the_reason)
{
    char *text = s_format_ok (report_format_csv, s_report);
    const char *last = "excluded,,J99,小样本测试单位,,,,,,,,should_close < 5"
                       "\r\n";
    size_t length = strlen (text);
    cr_assert_geq (length, strlen (last));
    cr_assert_str_eq (text + length - strlen (last), last);
    free (text);
}

Test (report_format, quotes_csv_fields_holding_newlines)
{
    char *text = s_format_ok (
        report_format_csv, "{\"tables\":[{\"group\":\"g\",\"rows\":[{\"rank\":"
                           "3,\"unit\":\"x\",\"total\":-0.001,"
                           "\"note\":\"line1\\nline2\"}]}]}");
    cr_assert_str_eq (text, "group,rank,unit_id,unit,total,note\r\n"
                            "g,3,,x,0.00,\"line1\nline2\"\r\n");
    free (text);
}

Test (report_format, rejects_invalid_json_with_a_message)
{
    char err[REPORT_FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (report_format_table, "{\"tables\":[", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text, "nothing is written for a bad report");
    cr_assert_not_null (strstr (err, "invalid JSON"), "%s", err);
    free (text);

    err[0] = '\0';
    text = s_capture (report_format_csv, "not json", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_not_null (strstr (err, "invalid JSON"), "%s", err);
    free (text);
}

Test (report_format, rejects_json_without_tables)
{
    const char *json = "{\"ruleset\":\"jintai-2025\",\"period\":\"2025-07\"}";
    char err[REPORT_FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (report_format_table, json, &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_not_null (strstr (err, "tables"), "%s", err);
    free (text);

    err[0] = '\0';
    text = s_capture (report_format_csv, "[1,2]", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_not_empty (err);
    free (text);
}

Test (report_format, rejects_a_value_of_the_wrong_type_naming_where_it_is)
{
    char err[REPORT_FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (report_format_csv,
                            "{\"tables\":[{\"rows\":[{\"rank\":1},"
                            "{\"items\":{\"closure\":\"30\"}}]}]}",
                            &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_str_eq (err, "report: tables[0].rows[1].items.closure is not "
                           "a number");
    free (text);
}

Test (report_format, reports_an_output_that_cannot_be_written)
{
    FILE *full = fopen ("/dev/full", "w");
    if (!full)
        cr_skip_test ("no /dev/full here");
    char err[REPORT_FORMAT_ERR_MAX] = "";
    cr_assert_eq (report_format_table (s_report, full, err), -1);
    cr_assert_not_null (strstr (err, "write"), "%s", err);
    clearerr (full);
    err[0] = '\0';
    cr_assert_eq (report_format_csv (s_report, full, err), -1);
    cr_assert_not_null (strstr (err, "write"), "%s", err);
    fclose (full);
}
