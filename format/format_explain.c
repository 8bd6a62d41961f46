/*  format_explain: explain and ticket answers for people (format.h).

    Both are written as blocks of aligned columns: a column is as wide as
    its widest cell in terminal columns (format_display_width: CJK
    characters take two), numbers are right-aligned, text left-aligned,
    two spaces between columns, no trailing spaces. */
#include "format_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS_MAX 6
#define CELL_MAX    256

/* Rows of up to COLUMNS_MAX cells, written when complete. */
typedef struct {
    char (*cells)[COLUMNS_MAX][CELL_MAX]; /* rows */
    size_t rows;                          /* used */
    size_t size;                          /* allocated */
    size_t columns;                       /* per row */
    bool right[COLUMNS_MAX];              /* right-aligned columns */
    bool failed;                          /* out of memory */
} s_block_t;

static void
s_row (s_block_t *b, const char *const *texts)
{
    if (b->rows == b->size) {
        size_t size = b->size ? b->size * 2 : 16;
        void *grown = realloc (b->cells, size * sizeof (*b->cells));
        if (!grown) {
            b->failed = true;
            return;
        }
        b->cells = grown;
        b->size = size;
    }
    for (size_t c = 0; c < b->columns; c++) {
        /* Control characters would break the table: shown as spaces. */
        char *cell = b->cells[b->rows][c];
        snprintf (cell, CELL_MAX, "%s", texts[c] ? texts[c] : "");
        for (char *p = cell; *p; p++)
            if ((unsigned char)*p < 32)
                *p = ' ';
    }
    b->rows++;
}

static int
s_write (s_block_t *b, FILE *out, const char *indent)
{
    size_t width[COLUMNS_MAX] = {0};
    for (size_t r = 0; r < b->rows; r++)
        for (size_t c = 0; c < b->columns; c++) {
            size_t w = format_display_width (b->cells[r][c]);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r < b->rows; r++) {
        /* The last non-empty cell ends the line: no trailing spaces. */
        size_t last = b->columns;
        while (last > 0 && !b->cells[r][last - 1][0])
            last--;
        fputs (indent, out);
        bool first = true;
        for (size_t c = 0; c < last; c++) {
            if (width[c] == 0)
                continue; /* a column empty in every row */
            const char *cell = b->cells[r][c];
            size_t pad = width[c] - format_display_width (cell);
            if (!first)
                fputs ("  ", out);
            first = false;
            if (b->right[c])
                fprintf (out, "%*s%s", (int)pad, "", cell);
            else
                fprintf (out, "%s%*s", cell, c + 1 < last ? (int)pad : 0, "");
        }
        fputc ('\n', out);
    }
    free (b->cells);
    memset (b, 0, sizeof (*b));
    return ferror (out) ? -1 : 0;
}

static const char *
s_text (const cJSON *object, const char *name)
{
    const cJSON *value = cJSON_GetObjectItem (object, name);
    return cJSON_IsString (value) ? value->valuestring : "";
}

/* A number as the report shows it: two decimals, "-" for null. */
static void
s_number (const cJSON *object, const char *name, char *buf, size_t size)
{
    const cJSON *value = cJSON_GetObjectItem (object, name);
    if (cJSON_IsNumber (value))
        snprintf (buf, size, "%.2f", value->valuedouble);
    else
        snprintf (buf, size, "-");
}

/* "2025-07-05T10:00:00+08:00" as "2025-07-05 10:00". */
static void
s_when (const char *rfc3339, char *buf, size_t size)
{
    snprintf (buf, size, "%.10s %.5s", rfc3339,
              strlen (rfc3339) >= 16 ? rfc3339 + 11 : "");
}

/* The inputs of a formula: "closed_on_time 111, should_close 114". */
static void
s_inputs (const cJSON *inputs, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    const cJSON *input;
    cJSON_ArrayForEach (input, inputs)
    {
        char number[REPORT__NUMBER_MAX];
        format__format_count (input->valuedouble, number);
        used += (size_t)snprintf (buf + used, used < size ? size - used : 0,
                                  "%s%s %s", used ? ", " : "", input->string,
                                  number);
    }
}

static void
s_tickets (s_block_t *b, const cJSON *tickets, const char *label)
{
    const cJSON *t;
    cJSON_ArrayForEach (t, tickets)
    {
        char when[32];
        s_when (s_text (t, "at"), when, sizeof (when));
        const char *cells[COLUMNS_MAX] = {label, s_text (t, "ticket_id"),
                                          s_text (t, "counter"), when,
                                          s_text (t, "detail")};
        s_row (b, cells);
    }
}

int
format_explain_table (const char *json, FILE *out, char *err)
{
    cJSON *doc = cJSON_Parse (json);
    if (!cJSON_IsObject (doc) ||
        !cJSON_IsArray (cJSON_GetObjectItem (doc, "items"))) {
        cJSON_Delete (doc);
        format__set_error (err, "not an explain answer");
        return -1;
    }
    char total[32], rank[32] = "not ranked";
    s_number (doc, "total", total, sizeof (total));
    const cJSON *r = cJSON_GetObjectItem (doc, "rank");
    if (cJSON_IsNumber (r))
        snprintf (rank, sizeof (rank), "rank %d", r->valueint);
    if (cJSON_IsTrue (cJSON_GetObjectItem (doc, "excluded")))
        snprintf (rank, sizeof (rank), "excluded");
    fprintf (out, "%s (%s), %s %s: total %s, %s\n\n", s_text (doc, "unit"),
             s_text (doc, "unit_id"), s_text (doc, "ruleset"),
             s_text (doc, "period"), total, rank);
    s_block_t items = {.columns = 5, .right = {false, true, true, true}};
    const char *head[COLUMNS_MAX] = {"项目 item", "满分", "得分", "扣分",
                                     "公式 formula"};
    s_row (&items, head);
    const cJSON *item;
    cJSON_ArrayForEach (item, cJSON_GetObjectItem (doc, "items"))
    {
        char label[CELL_MAX], points[32], value[32], lost[32],
            formula[CELL_MAX];
        char inputs[CELL_MAX];
        snprintf (label, sizeof (label), "%s %s", s_text (item, "label"),
                  s_text (item, "item"));
        s_number (item, "points", points, sizeof (points));
        s_number (item, "value", value, sizeof (value));
        s_number (item, "lost", lost, sizeof (lost));
        s_inputs (cJSON_GetObjectItem (item, "inputs"), inputs,
                  sizeof (inputs));
        snprintf (formula, sizeof (formula), "%s%s%s%s",
                  s_text (item, "formula"), *inputs ? " (" : "", inputs,
                  *inputs ? ")" : "");
        const char *cells[COLUMNS_MAX] = {label, points, value, lost, formula};
        s_row (&items, cells);
    }
    int rc = s_write (&items, out, "");
    cJSON_ArrayForEach (item, cJSON_GetObjectItem (doc, "items"))
    {
        const cJSON *tickets = cJSON_GetObjectItem (item, "tickets");
        const cJSON *exempted = cJSON_GetObjectItem (item, "exempted");
        if (cJSON_GetArraySize (tickets) + cJSON_GetArraySize (exempted) == 0)
            continue;
        fprintf (out, "\n%s %s: %d ticket%s\n", s_text (item, "label"),
                 s_text (item, "item"), cJSON_GetArraySize (tickets),
                 cJSON_GetArraySize (tickets) == 1 ? "" : "s");
        s_block_t list = {.columns = 5};
        s_tickets (&list, tickets, "");
        s_tickets (&list, exempted, "exempted");
        if (s_write (&list, out, "  ") != 0)
            rc = -1;
    }
    cJSON_Delete (doc);
    if (fflush (out) != 0 || rc != 0) {
        format__set_error (err, "cannot write the answer");
        return -1;
    }
    return 0;
}

int
format_ticket_table (const char *json, FILE *out, char *err)
{
    cJSON *doc = cJSON_Parse (json);
    if (!cJSON_IsObject (doc) ||
        !cJSON_IsArray (cJSON_GetObjectItem (doc, "events"))) {
        cJSON_Delete (doc);
        format__set_error (err, "not a ticket answer");
        return -1;
    }
    char due[32], limit[32] = "";
    s_when (s_text (doc, "due_at"), due, sizeof (due));
    if (*s_text (doc, "time_limit"))
        snprintf (limit, sizeof (limit), " (%s)", s_text (doc, "time_limit"));
    fprintf (out, "%s: %s, with %s, due %s%s%s; %s / %s\n\n",
             s_text (doc, "ticket_id"), s_text (doc, "state"),
             s_text (doc, "unit_id"), due, limit,
             cJSON_IsTrue (cJSON_GetObjectItem (doc, "overdue")) ? " (overdue)"
                                                                 : "",
             s_text (doc, "channel"), s_text (doc, "category"));
    s_block_t events = {.columns = 4};
    const char *head[COLUMNS_MAX] = {"时间 when", "事件 event", "单位 unit",
                                     "event_id"};
    s_row (&events, head);
    const cJSON *e;
    cJSON_ArrayForEach (e, cJSON_GetObjectItem (doc, "events"))
    {
        char when[32];
        s_when (s_text (e, "occurred_at"), when, sizeof (when));
        const char *cells[COLUMNS_MAX] = {when, s_text (e, "type"),
                                          s_text (e, "unit_id"),
                                          s_text (e, "event_id")};
        s_row (&events, cells);
    }
    int rc = s_write (&events, out, "");
    fprintf (out, "\ncounted in:\n");
    s_block_t counted = {.columns = 4, .right = {false, false, false, true}};
    const cJSON *c;
    cJSON_ArrayForEach (c, cJSON_GetObjectItem (doc, "counted"))
    {
        char count[32];
        const cJSON *n = cJSON_GetObjectItem (c, "count");
        snprintf (count, sizeof (count), "%d",
                  cJSON_IsNumber (n) ? n->valueint : 0);
        const char *cells[COLUMNS_MAX] = {s_text (c, "period"),
                                          s_text (c, "unit_id"),
                                          s_text (c, "counter"), count};
        s_row (&counted, cells);
    }
    if (s_write (&counted, out, "  ") != 0)
        rc = -1;
    cJSON_Delete (doc);
    if (fflush (out) != 0 || rc != 0) {
        format__set_error (err, "cannot write the answer");
        return -1;
    }
    return 0;
}
