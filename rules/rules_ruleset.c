/*  rules_ruleset: declarative scoring schemes in ZPL (rules_zpl.c).

    ruleset
        id = jintai-2025            # unique; a later file replaces it
        title = "..."               # report heading
        period = month | quarter
        total = sum_shown | round_sum | <item id>   # an item: a composite
        bonus = bonus               # optional manual points added to totals
        exclude = "should_close < 5" # optional: units left out
        exclude_reason = "..."      # optional: what the report says
        empty = "received == 0"     # optional: units scored by the mean
                                    # total of the others (no cases)
        rank = sequential | competition | none
        tiebreak = closed           # optional counter, larger first
        counters = "should_close closed ..."  # counters listed per row
        changes = "close_rate ..."  # optional: items' change since the
                                    # previous period, in points
        breakdown = yes             # optional: received by channel/category
        tables                      # group = title, in listing order;
            town = 镇街              # "all" lists every other unit
        items                       # in column order
            closure
                label = 办结
                points = 30
                formula = "30 * closed / should_close"
                round = t2 | r2 | pct0 | none
                suffix = "%"        # optional
            knowledge_base
                label = 知识库维护
                points = 10
                manual = 10         # value when no ADJUSTED event set it
        dimensions                  # optional item groups with subtotals
            response
                label = 诉求响应率
                items = "sign_on_time contact"
        notes                       # optional, per month of the period
            closed_late = "{m}月逾期{n}件"
        summary                     # optional: full-score count, average
            full_score = 100
        below                       # optional: units under the district
            title = "..."           # rate
            rate = "(revisited - unresolved) / revisited"
            district = "(sum_revisited - sum_unresolved) / sum_revisited"
            when = "revisited > 0"  # optional: units that have a rate
        channel_tables              # optional: one channel's tickets
            mayor_mailbox
                title = 市长信箱
                columns
                    should_close
                        counter = should_close
                    on_time_rate
                        label = 按期办结率
                        formula = "100 * closed_on_time / should_close"
                        round = pct0

    A formula may use counters (docs/scoring.md), report-wide aggregates
    (max_closed, mean_rework, sum_received) and other items, in any
    order; a circular reference and a division by a constant zero are
    refused at load. Every error names the file and the line. */
#include "rules_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line where `needle` is defined, for error messages: first a line whose
   key, after indentation, is the needle ("    total = ..." or "    closure"),
   else any occurrence (a formula's text). 0 when not found. */
static int
s_line_of (const char *text, const char *needle)
{
    if (!needle || !*needle)
        return 0;
    size_t n = strlen (needle);
    int line = 1;
    for (const char *p = text; *p; line++) {
        const char *key = p;
        while (*key == ' ')
            key++;
        if (strncmp (key, needle, n) == 0 &&
            (key[n] == ' ' || key[n] == '=' || key[n] == '\n' ||
             key[n] == '\r' || key[n] == 0))
            return line;
        const char *end = strchr (p, '\n');
        if (!end)
            break;
        p = end + 1;
    }
    const char *at = strstr (text, needle);
    if (!at)
        return 0;
    line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Parsing state: the ruleset being built and the first error. */
typedef struct {
    rules_ruleset_t *set; /* being built */
    char what[256];       /* the error, "" while none */
    char near[256];       /* text to locate the error's line */
} s_loader_t;

static bool s_error (s_loader_t *self, const char *near, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static bool
s_error (s_loader_t *self, const char *near, const char *fmt, ...)
{
    if (*self->what)
        return false;
    va_list args;
    va_start (args, fmt);
    vsnprintf (self->what, sizeof (self->what), fmt, args);
    va_end (args);
    snprintf (self->near, sizeof (self->near), "%s", near ? near : "");
    return false;
}

static bool
s_copy (char *dest, size_t size, const char *src)
{
    return (size_t)snprintf (dest, size, "%s", src) < size;
}

static int
s_item_index (const rules_ruleset_t *set, const char *id)
{
    for (int i = 0; i < set->item_count; i++)
        if (strcmp (set->items[i].id, id) == 0)
            return i;
    return -1;
}

/* Items and rules see counters, aggregates and every item. */
static int
s_resolve_all (const char *name, void *arg)
{
    int slot = rules_resolve_counter (name, NULL);
    if (slot >= 0)
        return slot;
    int item = s_item_index (arg, name);
    return item >= 0 ? RULES_VAR_ITEM + item : -1;
}

/* Channel-table columns and per-unit rates see a unit's counters only. */
static int
s_resolve_counters (const char *name, void *arg)
{
    (void)arg;
    return rules_counter_lookup (name);
}

static rules_expr_t *
s_compile (s_loader_t *self, const char *text, rules_resolve_fn *resolve,
           const char *where)
{
    char reason[256];
    rules_expr_t *expr = rules_expr_compile (text, resolve, self->set, reason);
    if (!expr)
        s_error (self, text, "%s: %s", where, reason);
    return expr;
}

static bool
s_parse_round (s_loader_t *self, const char *text, rules_round_t *mode,
               const char *where, const char *near)
{
    static const char *names[] = {"none", "t2", "r2", "pct0"};
    for (int i = 0; i < 4; i++)
        if (strcmp (text, names[i]) == 0) {
            *mode = (rules_round_t)i;
            return true;
        }
    return s_error (self, near, "%s: round must be t2, r2, pct0 or none",
                    where);
}

/* Splits a space or comma separated list into out (max entries); returns
   the count. The input is copied. */
static int
s_words (const char *text, char words[][RULES_ID_MAX + 1], int max)
{
    char copy[1024];
    s_copy (copy, sizeof (copy), text);
    int n = 0;
    for (char *save = NULL, *w = strtok_r (copy, " ,", &save); w && n < max;
         w = strtok_r (NULL, " ,", &save))
        s_copy (words[n++], RULES_ID_MAX + 1, w);
    return n;
}

static bool
s_load_header (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    if (!s_copy (set->id, sizeof (set->id), rules__zpl_get (rs, "id", "")) ||
        !*set->id)
        return s_error (self, "id", "missing or overlong id");
    s_copy (set->title, sizeof (set->title),
            rules__zpl_get (rs, "title", set->id));
    const char *period = rules__zpl_get (rs, "period", "month");
    if (strcmp (period, "month") == 0)
        set->period = RULES_MONTH;
    else if (strcmp (period, "quarter") == 0)
        set->period = RULES_QUARTER;
    else
        return s_error (self, "period", "period must be month or quarter");
    const char *rank = rules__zpl_get (rs, "rank", "sequential");
    if (strcmp (rank, "sequential") == 0)
        set->rank = RULES_RANK_SEQUENTIAL;
    else if (strcmp (rank, "competition") == 0)
        set->rank = RULES_RANK_COMPETITION;
    else if (strcmp (rank, "none") == 0)
        set->rank = RULES_RANK_NONE;
    else
        return s_error (self, "rank",
                        "rank must be sequential, competition or none");
    const char *tiebreak = rules__zpl_get (rs, "tiebreak", "");
    set->tiebreak = *tiebreak ? rules_counter_lookup (tiebreak) : -1;
    if (*tiebreak && set->tiebreak < 0)
        return s_error (self, "tiebreak", "unknown counter %s", tiebreak);
    char words[RULES_COUNTERS + 1][RULES_ID_MAX + 1];
    int n = s_words (rules__zpl_get (rs, "counters", ""), words,
                     RULES_COUNTERS + 1);
    for (int i = 0; i < n; i++) {
        int c = rules_counter_lookup (words[i]);
        if (c < 0 || set->counter_count >= RULES_COUNTERS)
            return s_error (self, "counters", "unknown counter %s", words[i]);
        set->counters[set->counter_count++] = c;
    }
    s_copy (set->bonus, sizeof (set->bonus), rules__zpl_get (rs, "bonus", ""));
    const char *breakdown = rules__zpl_get (rs, "breakdown", "no");
    set->breakdown = strcmp (breakdown, "yes") == 0;
    rules_zpl_t *section = rules__zpl_locate (rs, "tables");
    for (rules_zpl_t *t = section ? rules__zpl_child (section) : NULL; t;
         t = rules__zpl_next (t)) {
        if (set->table_count >= RULES_TABLES_MAX)
            return s_error (self, "tables", "more than %d tables",
                            RULES_TABLES_MAX);
        rules_table_t *table = &set->tables[set->table_count++];
        s_copy (table->group, sizeof (table->group), rules__zpl_name (t));
        const char *title = rules__zpl_value (t);
        s_copy (table->title, sizeof (table->title),
                title && *title ? title : rules__zpl_name (t));
    }
    if (set->table_count == 0)
        return s_error (self, "tables", "no tables: list the unit groups");
    return true;
}

/* Items in two passes: ids first, so formulas may refer to any item. */
static bool
s_load_items (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    rules_zpl_t *section = rules__zpl_locate (rs, "items");
    rules_zpl_t *first = section ? rules__zpl_child (section) : NULL;
    for (rules_zpl_t *i = first; i; i = rules__zpl_next (i)) {
        if (set->item_count >= RULES_ITEMS_MAX)
            return s_error (self, "items", "more than %d items",
                            RULES_ITEMS_MAX);
        rules_item_t *item = &set->items[set->item_count];
        if (!s_copy (item->id, sizeof (item->id), rules__zpl_name (i)))
            return s_error (self, rules__zpl_name (i), "item id too long");
        if (s_item_index (set, item->id) >= 0)
            return s_error (self, item->id, "item %s defined twice", item->id);
        item->dimension = -1;
        set->item_count++;
    }
    if (set->item_count == 0)
        return s_error (self, "items", "no items");
    int index = 0;
    for (rules_zpl_t *i = first; i; i = rules__zpl_next (i), index++) {
        rules_item_t *item = &set->items[index];
        s_copy (item->label, sizeof (item->label),
                rules__zpl_get (i, "label", item->id));
        s_copy (item->suffix, sizeof (item->suffix),
                rules__zpl_get (i, "suffix", ""));
        item->points = atof (rules__zpl_get (i, "points", "0"));
        char where[128];
        snprintf (where, sizeof (where), "item %s", item->id);
        if (!s_parse_round (self, rules__zpl_get (i, "round", "r2"),
                            &item->round, where, item->id))
            return false;
        const char *manual = rules__zpl_get (i, "manual", NULL);
        const char *formula = rules__zpl_get (i, "formula", NULL);
        if (manual && !formula) {
            char *end;
            item->default_value = strtod (manual, &end);
            if (end == manual || *end || !isfinite (item->default_value))
                return s_error (self, item->id,
                                "item %s: manual needs a number (its "
                                "default)",
                                item->id);
        } else if (formula && !manual) {
            s_copy (item->formula_text, sizeof (item->formula_text), formula);
            item->formula = s_compile (self, formula, s_resolve_all, where);
            if (!item->formula)
                return false;
        } else
            return s_error (self, item->id,
                            "item %s needs exactly one of formula or manual",
                            item->id);
    }
    return true;
}

/* Orders items so each comes after the items its formula reads; a cycle
   is refused naming the items in it. Depth-first search with colours. */
static bool
s_order_items (s_loader_t *self)
{
    rules_ruleset_t *set = self->set;
    int colour[RULES_ITEMS_MAX] = {0}; /* 0 new, 1 on the path, 2 done */
    int stack[RULES_ITEMS_MAX], next[RULES_ITEMS_MAX];
    int placed = 0;
    for (int root = 0; root < set->item_count; root++) {
        if (colour[root])
            continue;
        int depth = 0;
        stack[depth] = root;
        next[depth] = 0;
        colour[root] = 1;
        while (depth >= 0) {
            int at = stack[depth];
            const rules_expr_t *f = set->items[at].formula;
            int dep = next[depth]++;
            if (dep < set->item_count) {
                if (!f || !rules_expr_uses (f, RULES_VAR_ITEM + dep))
                    continue;
                if (colour[dep] == 1) {
                    /* A back edge: the cycle is the path from dep. */
                    int from = 0;
                    while (stack[from] != dep)
                        from++;
                    char path[256] = "";
                    for (int d = from; d <= depth; d++) {
                        size_t len = strlen (path);
                        snprintf (path + len, sizeof (path) - len, "%s -> ",
                                  set->items[stack[d]].id);
                    }
                    size_t len = strlen (path);
                    snprintf (path + len, sizeof (path) - len, "%s",
                              set->items[dep].id);
                    return s_error (self, set->items[at].id,
                                    "circular reference between items: %s",
                                    path);
                }
                if (colour[dep] == 0) {
                    colour[dep] = 1;
                    depth++;
                    stack[depth] = dep;
                    next[depth] = 0;
                }
                continue;
            }
            colour[at] = 2;
            set->order[placed++] = at;
            depth--;
        }
    }
    return true;
}

static bool
s_load_rules (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    const char *total = rules__zpl_get (rs, "total", "round_sum");
    set->total_item = -1;
    if (strcmp (total, "sum_shown") == 0)
        set->total = RULES_TOTAL_SUM_SHOWN;
    else if (strcmp (total, "round_sum") == 0)
        set->total = RULES_TOTAL_ROUND_SUM;
    else if ((set->total_item = s_item_index (set, total)) >= 0)
        set->total = RULES_TOTAL_ITEM;
    else
        return s_error (self, "total",
                        "total must be sum_shown, round_sum or an item id, "
                        "not %s",
                        total);
    const char *exclude = rules__zpl_get (rs, "exclude", NULL);
    if (exclude && *exclude) {
        s_copy (set->exclude_text, sizeof (set->exclude_text),
                rules__zpl_get (rs, "exclude_reason", exclude));
        if (!(set->exclude =
                  s_compile (self, exclude, s_resolve_all, "exclude")))
            return false;
    }
    const char *empty = rules__zpl_get (rs, "empty", NULL);
    if (empty && *empty &&
        !(set->empty = s_compile (self, empty, s_resolve_all, "empty")))
        return false;
    char words[RULES_ITEMS_MAX + 1][RULES_ID_MAX + 1];
    int n = s_words (rules__zpl_get (rs, "changes", ""), words,
                     RULES_ITEMS_MAX + 1);
    for (int i = 0; i < n; i++) {
        int item = s_item_index (set, words[i]);
        if (item < 0 || set->change_count >= RULES_ITEMS_MAX)
            return s_error (self, "changes", "changes: unknown item %s",
                            words[i]);
        set->changes[set->change_count++] = item;
    }
    return true;
}

static bool
s_load_dimensions (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    rules_zpl_t *section = rules__zpl_locate (rs, "dimensions");
    for (rules_zpl_t *d = section ? rules__zpl_child (section) : NULL; d;
         d = rules__zpl_next (d)) {
        if (set->dim_count >= RULES_DIMS_MAX)
            return s_error (self, "dimensions", "more than %d dimensions",
                            RULES_DIMS_MAX);
        int index = set->dim_count++;
        rules_dimension_t *dim = &set->dims[index];
        s_copy (dim->id, sizeof (dim->id), rules__zpl_name (d));
        s_copy (dim->label, sizeof (dim->label),
                rules__zpl_get (d, "label", dim->id));
        char words[RULES_ITEMS_MAX][RULES_ID_MAX + 1];
        int n =
            s_words (rules__zpl_get (d, "items", ""), words, RULES_ITEMS_MAX);
        if (n == 0)
            return s_error (self, dim->id, "dimension %s lists no items",
                            dim->id);
        double points = 0;
        for (int i = 0; i < n; i++) {
            int item = s_item_index (set, words[i]);
            if (item < 0)
                return s_error (self, dim->id, "dimension %s: unknown item %s",
                                dim->id, words[i]);
            if (set->items[item].dimension >= 0)
                return s_error (self, dim->id, "item %s is in two dimensions",
                                words[i]);
            set->items[item].dimension = index;
            points += set->items[item].points;
        }
        dim->points = atof (rules__zpl_get (d, "points", "0"));
        if (dim->points == 0)
            dim->points = points;
    }
    return true;
}

static bool
s_load_notes (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    rules_zpl_t *section = rules__zpl_locate (rs, "notes");
    for (rules_zpl_t *n = section ? rules__zpl_child (section) : NULL; n;
         n = rules__zpl_next (n)) {
        if (set->note_count >= RULES_NOTES_MAX)
            return s_error (self, "notes", "more than %d notes",
                            RULES_NOTES_MAX);
        rules_note_t *note = &set->notes[set->note_count++];
        note->counter = rules_counter_lookup (rules__zpl_name (n));
        if (note->counter < 0)
            return s_error (self, rules__zpl_name (n),
                            "notes: unknown counter %s", rules__zpl_name (n));
        const char *format = rules__zpl_value (n);
        if (!format || !strstr (format, "{n}") ||
            !s_copy (note->format, sizeof (note->format), format))
            return s_error (self, rules__zpl_name (n),
                            "notes: %s needs a text with {n} (and {m} for "
                            "the month)",
                            rules__zpl_name (n));
    }
    return true;
}

static bool
s_load_channel_tables (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    rules_zpl_t *section = rules__zpl_locate (rs, "channel_tables");
    for (rules_zpl_t *t = section ? rules__zpl_child (section) : NULL; t;
         t = rules__zpl_next (t)) {
        if (set->channel_count >= RULES_CHANNELS_MAX)
            return s_error (self, "channel_tables",
                            "more than %d channel tables", RULES_CHANNELS_MAX);
        rules_channel_table_t *table = &set->channels[set->channel_count++];
        s_copy (table->channel, sizeof (table->channel), rules__zpl_name (t));
        s_copy (table->title, sizeof (table->title),
                rules__zpl_get (t, "title", table->channel));
        rules_zpl_t *cols = rules__zpl_locate (t, "columns");
        for (rules_zpl_t *c = cols ? rules__zpl_child (cols) : NULL; c;
             c = rules__zpl_next (c)) {
            if (table->column_count >= RULES_COLUMNS_MAX)
                return s_error (self, table->channel, "more than %d columns",
                                RULES_COLUMNS_MAX);
            rules_column_t *col = &table->columns[table->column_count++];
            s_copy (col->id, sizeof (col->id), rules__zpl_name (c));
            s_copy (col->label, sizeof (col->label),
                    rules__zpl_get (c, "label", col->id));
            s_copy (col->suffix, sizeof (col->suffix),
                    rules__zpl_get (c, "suffix", ""));
            const char *counter = rules__zpl_get (c, "counter", NULL);
            const char *formula = rules__zpl_get (c, "formula", NULL);
            char where[128];
            snprintf (where, sizeof (where), "channel table %s column %s",
                      table->channel, col->id);
            col->counter = -1;
            if (counter && !formula) {
                if ((col->counter = rules_counter_lookup (counter)) < 0)
                    return s_error (self, col->id, "%s: unknown counter %s",
                                    where, counter);
            } else if (formula && !counter) {
                if (!(col->formula =
                          s_compile (self, formula, s_resolve_counters, where)))
                    return false;
                if (!s_parse_round (self, rules__zpl_get (c, "round", "r2"),
                                    &col->round, where, col->id))
                    return false;
            } else
                return s_error (self, col->id,
                                "%s needs exactly one of counter or formula",
                                where);
        }
        if (table->column_count == 0)
            return s_error (self, table->channel,
                            "channel table %s has no columns", table->channel);
    }
    return true;
}

static bool
s_load_summaries (s_loader_t *self, rules_zpl_t *rs)
{
    rules_ruleset_t *set = self->set;
    rules_zpl_t *summary = rules__zpl_locate (rs, "summary");
    if (summary) {
        set->summary = true;
        set->full_score = atof (rules__zpl_get (summary, "full_score", "100"));
    }
    rules_zpl_t *below = rules__zpl_locate (rs, "below");
    if (below) {
        s_copy (set->below_title, sizeof (set->below_title),
                rules__zpl_get (below, "title", "below the district rate"));
        const char *rate = rules__zpl_get (below, "rate", "");
        const char *district = rules__zpl_get (below, "district", "");
        if (!*rate || !*district)
            return s_error (self, "below",
                            "below needs a rate and a district formula");
        if (!(set->below_rate =
                  s_compile (self, rate, s_resolve_counters, "below rate")) ||
            !(set->below_district = s_compile (
                  self, district, rules_resolve_counter, "below district")))
            return false;
        const char *when = rules__zpl_get (below, "when", NULL);
        if (when && !(set->below_when = s_compile (
                          self, when, s_resolve_counters, "below when")))
            return false;
    }
    return true;
}

rules_ruleset_t *
rules_ruleset_load (const char *text, const char *origin, char *err)
{
    s_loader_t loader;
    memset (&loader, 0, sizeof (loader));
    loader.set = calloc (1, sizeof (*loader.set));
    if (!loader.set) {
        snprintf (err, 256, "%s: out of memory", origin);
        return NULL;
    }
    char why[RULES_ERR_MAX];
    int zpl_line = 0;
    rules_zpl_t *root = rules__zpl_load (text, &zpl_line, why);
    rules_zpl_t *rs = root ? rules__zpl_locate (root, "ruleset") : NULL;
    if (!root) {
        snprintf (err, RULES_ERR_MAX, "%s:%d: not valid ZPL: %s", origin,
                  zpl_line, why);
        rules_ruleset_destroy (&loader.set);
        return NULL;
    }
    if (!rs)
        s_error (&loader, NULL, "no ruleset section");
    else if (s_load_header (&loader, rs) && s_load_items (&loader, rs) &&
             s_order_items (&loader) && s_load_rules (&loader, rs) &&
             s_load_dimensions (&loader, rs) && s_load_notes (&loader, rs) &&
             s_load_channel_tables (&loader, rs))
        s_load_summaries (&loader, rs);
    rules__zpl_destroy (&root);
    rules__sha256 (text, strlen (text), loader.set->sha256);
    if (*loader.what) {
        int line = s_line_of (text, loader.near);
        if (line)
            snprintf (err, 256, "%s:%d: %s", origin, line, loader.what);
        else
            snprintf (err, 256, "%s: %s", origin, loader.what);
        rules_ruleset_destroy (&loader.set);
        return NULL;
    }
    return loader.set;
}

void
rules_ruleset_destroy (rules_ruleset_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_ruleset_t *self = *self_p;
    for (int i = 0; i < self->item_count; i++)
        rules_expr_destroy (&self->items[i].formula);
    for (int t = 0; t < self->channel_count; t++)
        for (int c = 0; c < self->channels[t].column_count; c++)
            rules_expr_destroy (&self->channels[t].columns[c].formula);
    rules_expr_destroy (&self->exclude);
    rules_expr_destroy (&self->empty);
    rules_expr_destroy (&self->below_rate);
    rules_expr_destroy (&self->below_district);
    rules_expr_destroy (&self->below_when);
    free (self);
    *self_p = NULL;
}

const char *
rules_ruleset_id (const rules_ruleset_t *self)
{
    return self->id;
}

rules_period_kind_t
rules_ruleset_period_kind (const rules_ruleset_t *self)
{
    return self->period;
}
