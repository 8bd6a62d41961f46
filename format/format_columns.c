/*  format_columns: the columns of the main tables, with their headings.

    The bulletins head their tables with two rows. Schemes with dimensions
    (芙蓉区) put each dimension with its points over its items and its
    subtotal; the others put each item with its points over the counters
    its formula reads and its score (金台区: 办结（30分） over 应办结 |
    办结数 | 得分), which is what the items' "uses" say. A column that
    belongs to no group (排名, 单位, a counter no item reads, 总分) spans
    both rows. The workbook and the HTML page lay their tables out from
    this one plan.
*/
#include "format_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_add (format__columns_t *plan, format__col_kind_t kind, const cJSON *spec,
       const char *id, const cJSON *group)
{
    plan->cols[plan->count++] = (format__col_t){kind, spec, id, group};
}

static bool
s_uses (const cJSON *item, const char *counter)
{
    const cJSON *use;
    cJSON_ArrayForEach (use, cJSON_GetObjectItemCaseSensitive (item, "uses"))
    {
        if (strcmp (use->valuestring, counter) == 0)
            return true;
    }
    return false;
}

/* The item that shows counter under its heading: the first that reads it,
   in reports without dimensions; NULL when it stands alone. */
static const cJSON *
s_counter_owner (const format_doc_t *doc, const char *counter)
{
    if (cJSON_GetArraySize (doc->dimensions) > 0)
        return NULL;
    const cJSON *item;
    cJSON_ArrayForEach (item, doc->items)
    {
        if (s_uses (item, counter))
            return item;
    }
    return NULL;
}

/* The dimension spec of an item, or NULL. */
static const cJSON *
s_dimension_of (const format_doc_t *doc, const cJSON *item)
{
    const char *id = format__text (item, "dimension");
    const cJSON *dimension;
    cJSON_ArrayForEach (dimension, doc->dimensions)
    {
        if (*id && strcmp (format__text (dimension, "id"), id) == 0)
            return dimension;
    }
    return NULL;
}

int
format__columns_plan (format__columns_t *plan, const format_doc_t *doc,
                      bool notes)
{
    size_t max = 6 + (size_t)cJSON_GetArraySize (doc->counters) +
                 doc->score_count + doc->change_count;
    plan->count = 0;
    plan->cols = calloc (max, sizeof *plan->cols);
    if (!plan->cols)
        return -1;
    s_add (plan, FORMAT__COL_RANK, NULL, NULL, NULL);
    s_add (plan, FORMAT__COL_UNIT, NULL, NULL, NULL);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        if (!s_counter_owner (doc, counter->valuestring))
            s_add (plan, FORMAT__COL_COUNTER, NULL, counter->valuestring, NULL);
    }
    for (size_t i = 0; i < doc->score_count; i++) {
        const cJSON *spec = doc->scores[i].spec;
        if (doc->scores[i].dimension) {
            s_add (plan, FORMAT__COL_DIMENSION, spec, NULL, spec);
            continue;
        }
        bool owns = false;
        cJSON_ArrayForEach (counter, doc->counters)
        {
            if (s_counter_owner (doc, counter->valuestring) == spec) {
                s_add (plan, FORMAT__COL_COUNTER, NULL, counter->valuestring,
                       spec);
                owns = true;
            }
        }
        const cJSON *dimension = s_dimension_of (doc, spec);
        s_add (plan, FORMAT__COL_ITEM, spec, NULL,
               dimension ? dimension
               : owns    ? spec
                         : NULL);
    }
    if (doc->has_base_total)
        s_add (plan, FORMAT__COL_BASE, NULL, NULL, NULL);
    if (doc->has_bonus)
        s_add (plan, FORMAT__COL_BONUS, NULL, NULL, NULL);
    s_add (plan, FORMAT__COL_TOTAL, NULL, NULL, NULL);
    for (size_t i = 0; i < doc->change_count; i++)
        s_add (plan, FORMAT__COL_CHANGE, NULL, doc->changes[i], NULL);
    if (notes)
        s_add (plan, FORMAT__COL_NOTE, NULL, NULL, NULL);
    return 0;
}

/* The text of a column's own header cell. Caller frees. */
char *
format__columns_label (const format_doc_t *doc, const format__col_t *col)
{
    const char *fixed[] = {
        [FORMAT__COL_RANK] = "排名",   [FORMAT__COL_UNIT] = "单位",
        [FORMAT__COL_BASE] = "基础分", [FORMAT__COL_BONUS] = "加分",
        [FORMAT__COL_TOTAL] = "总分",  [FORMAT__COL_NOTE] = "备注"};
    switch (col->kind) {
    case FORMAT__COL_COUNTER:
        return strdup (format__counter_label (col->id));
    case FORMAT__COL_ITEM:
        // Under its own heading an item's column is its score.
        return col->group == col->spec ? strdup ("得分")
                                       : format__points_label (col->spec);
    case FORMAT__COL_DIMENSION:
        return strdup ("小计");
    case FORMAT__COL_CHANGE: {
        const cJSON *item = format__item (doc, col->id);
        const char *label = item ? format__label (item) : col->id;
        char *text = malloc (strlen (label) + sizeof " 环比");
        if (text)
            sprintf (text, "%s 环比", label);
        return text;
    }
    default:
        return strdup (fixed[col->kind]);
    }
}

void
format__columns_free (format__columns_t *plan)
{
    free (plan->cols);
    plan->cols = NULL;
    plan->count = 0;
}

size_t
format__columns_run (const format__columns_t *plan, size_t c)
{
    const cJSON *group = plan->cols[c].group;
    size_t end = c + 1;
    while (group && end < plan->count && plan->cols[end].group == group)
        end++;
    return end;
}

bool
format__rows_have_note (const cJSON *rows)
{
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (*format__text (row, "note"))
            return true;
    }
    return false;
}

const cJSON *
format__columns_value (const format__col_t *col, const cJSON *row)
{
    const char *id = col->spec ? format__text (col->spec, "id") : col->id;
    switch (col->kind) {
    case FORMAT__COL_RANK:
        return format__member (row, NULL, "rank");
    case FORMAT__COL_COUNTER:
        return format__member (row, "counters", id);
    case FORMAT__COL_ITEM:
        return format__member (row, "items", id);
    case FORMAT__COL_DIMENSION:
        return format__member (row, "dimensions", id);
    case FORMAT__COL_BASE:
        return format__member (row, NULL, "base_total");
    case FORMAT__COL_BONUS:
        return format__member (row, NULL, "bonus");
    case FORMAT__COL_TOTAL:
        return format__member (row, NULL, "total");
    case FORMAT__COL_CHANGE:
        return format__member (row, "changes", id);
    default:
        return NULL;
    }
}

void
format__columns_show (const format__col_t *col, const cJSON *value, char *buf)
{
    buf[0] = '\0';
    if (cJSON_IsNull (value))
        strcpy (buf, "-");
    if (!cJSON_IsNumber (value))
        return;
    double v = value->valuedouble;
    switch (col->kind) {
    case FORMAT__COL_RANK:
    case FORMAT__COL_COUNTER:
        format__format_count (v, buf);
        break;
    case FORMAT__COL_ITEM:
        format__format_item (col->spec, v, buf);
        strncat (buf, format__text (col->spec, "suffix"), 7);
        break;
    case FORMAT__COL_BONUS:
        format__format_short (v, buf);
        break;
    case FORMAT__COL_CHANGE:
        format__format_signed (v, buf);
        break;
    default:
        format__format_fixed2 (v, buf);
    }
}
