/*  scorer_ruleset: declarative scoring schemes in ZPL (czmq's zconfig).

    ruleset
        id = jintai-2025            # unique; a later file replaces it
        title = "..."               # report heading
        period = month | quarter
        total = sum_shown | round_sum
        exclude = "should_close < 5" # optional: units left out
        rank = sequential | competition | none
        tiebreak = closed           # optional counter, larger first
        counters = "should_close closed ..."  # counters listed per row
        tables                      # group = title, in listing order
            town = 镇街
        items                       # in column order
            closure
                label = 办结
                points = 30
                formula = "30 * closed / should_close"
                round = t2 | r2 | pct0 | none
            knowledge_base
                label = 知识库维护
                points = 10
                manual = 10         # value when no ADJUSTED event set it

    A formula may use counters (SCORING.md 3), report-wide aggregates
    (max_closed, mean_rework, sum_received) and items defined above it. */
#include "scorer_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _scorer_rulesets_t {
    scorer_ruleset_t *sets[64]; /* loaded rulesets */
    size_t size;                /* how many */
};

/* The line where `needle` is defined, for error messages (zconfig keeps
   no line numbers): first a line whose key, after indentation, is the
   needle ("    total = ..." or "    closure"), else any occurrence (a
   formula's text). 0 when not found. */
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

static scorer_ruleset_t *
s_fail (scorer_ruleset_t *self, const char *text, const char *origin,
        const char *near, char *err, const char *what)
{
    int line = s_line_of (text, near);
    if (line)
        snprintf (err, 256, "%s:%d: %s", origin, line, what);
    else
        snprintf (err, 256, "%s: %s", origin, what);
    scorer_ruleset_destroy (&self);
    return NULL;
}

/* Items may refer to counters, aggregates and the items before them. */
typedef struct {
    const scorer_ruleset_t *set; /* items so far */
} s_resolve_ctx_t;

static int
s_resolve (const char *name, void *arg)
{
    const s_resolve_ctx_t *ctx = arg;
    int slot = scorer__resolve_counter (name, NULL);
    if (slot >= 0)
        return slot;
    for (int i = 0; i < ctx->set->item_count; i++)
        if (strcmp (ctx->set->items[i].id, name) == 0)
            return SCORER_VAR_ITEM + i;
    return -1;
}

static int
s_parse_round (const char *text, scorer_round_t *mode)
{
    static const char *names[] = {"none", "t2", "r2", "pct0"};
    for (int i = 0; i < 4; i++)
        if (strcmp (text, names[i]) == 0) {
            *mode = (scorer_round_t)i;
            return 0;
        }
    return -1;
}

static bool
s_copy (char *dest, size_t size, const char *src)
{
    return (size_t)snprintf (dest, size, "%s", src) < size;
}

scorer_ruleset_t *
scorer_ruleset_load (const char *text, const char *origin, char *err)
{
    char what[256];
    scorer_ruleset_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "%s: out of memory", origin);
        return NULL;
    }
    zconfig_t *root = zconfig_str_load (text);
    if (!root)
        return s_fail (self, text, origin, NULL, err,
                       "not valid ZPL (zconfig's log names the line)");
    /* One exit from here: root is destroyed on every path. */
    scorer_ruleset_t *result = NULL;
    zconfig_t *rs = zconfig_locate (root, "ruleset");
    const char *near = NULL;
    if (!rs) {
        snprintf (what, sizeof (what), "no ruleset section");
        goto cleanup;
    }
    near = "id";
    if (!s_copy (self->id, sizeof (self->id), zconfig_get (rs, "id", "")) ||
        !*self->id) {
        snprintf (what, sizeof (what), "missing or overlong id");
        goto cleanup;
    }
    s_copy (self->title, sizeof (self->title),
            zconfig_get (rs, "title", self->id));
    near = "period";
    const char *period = zconfig_get (rs, "period", "month");
    if (strcmp (period, "month") == 0)
        self->period = SCORER_MONTH;
    else if (strcmp (period, "quarter") == 0)
        self->period = SCORER_QUARTER;
    else {
        snprintf (what, sizeof (what), "period must be month or quarter");
        goto cleanup;
    }
    near = "total";
    const char *total = zconfig_get (rs, "total", "round_sum");
    if (strcmp (total, "sum_shown") == 0)
        self->total = TOTAL_SUM_SHOWN;
    else if (strcmp (total, "round_sum") == 0)
        self->total = TOTAL_ROUND_SUM;
    else {
        snprintf (what, sizeof (what), "total must be sum_shown or round_sum");
        goto cleanup;
    }
    near = "rank";
    const char *rank = zconfig_get (rs, "rank", "sequential");
    if (strcmp (rank, "sequential") == 0)
        self->rank = RANK_SEQUENTIAL;
    else if (strcmp (rank, "competition") == 0)
        self->rank = RANK_COMPETITION;
    else if (strcmp (rank, "none") == 0)
        self->rank = RANK_NONE;
    else {
        snprintf (what, sizeof (what),
                  "rank must be sequential, competition or none");
        goto cleanup;
    }
    near = "tiebreak";
    const char *tiebreak = zconfig_get (rs, "tiebreak", "");
    self->tiebreak = *tiebreak ? scorer_counter_lookup (tiebreak) : -1;
    if (*tiebreak && self->tiebreak < 0) {
        snprintf (what, sizeof (what), "unknown counter %s", tiebreak);
        goto cleanup;
    }
    near = "counters";
    char counters[512];
    s_copy (counters, sizeof (counters), zconfig_get (rs, "counters", ""));
    for (char *save = NULL, *name = strtok_r (counters, " ,", &save); name;
         name = strtok_r (NULL, " ,", &save)) {
        int c = scorer_counter_lookup (name);
        if (c < 0 || self->counter_count >= SC_COUNT) {
            snprintf (what, sizeof (what), "unknown counter %s", name);
            goto cleanup;
        }
        self->counters[self->counter_count++] = c;
    }
    near = "tables";
    zconfig_t *section = zconfig_locate (rs, "tables");
    for (zconfig_t *t = section ? zconfig_child (section) : NULL; t;
         t = zconfig_next (t)) {
        if (self->table_count >= SCORER_TABLES_MAX) {
            snprintf (what, sizeof (what), "more than %d tables",
                      SCORER_TABLES_MAX);
            goto cleanup;
        }
        scorer_table_t *table = &self->tables[self->table_count++];
        s_copy (table->group, sizeof (table->group), zconfig_name (t));
        s_copy (table->title, sizeof (table->title),
                zconfig_value (t) && *zconfig_value (t) ? zconfig_value (t)
                                                        : zconfig_name (t));
    }
    if (self->table_count == 0) {
        snprintf (what, sizeof (what), "no tables: list the unit groups");
        goto cleanup;
    }
    near = "items";
    s_resolve_ctx_t ctx = {self};
    section = zconfig_locate (rs, "items");
    for (zconfig_t *i = section ? zconfig_child (section) : NULL; i;
         i = zconfig_next (i)) {
        near = zconfig_name (i);
        if (self->item_count >= SCORER_ITEMS_MAX) {
            snprintf (what, sizeof (what), "more than %d items",
                      SCORER_ITEMS_MAX);
            goto cleanup;
        }
        scorer_item_t *item = &self->items[self->item_count];
        if (!s_copy (item->id, sizeof (item->id), zconfig_name (i))) {
            snprintf (what, sizeof (what), "item id too long");
            goto cleanup;
        }
        for (int j = 0; j < self->item_count; j++)
            if (strcmp (self->items[j].id, item->id) == 0) {
                snprintf (what, sizeof (what), "item %s defined twice",
                          item->id);
                goto cleanup;
            }
        s_copy (item->label, sizeof (item->label),
                zconfig_get (i, "label", item->id));
        item->points = atof (zconfig_get (i, "points", "0"));
        if (s_parse_round (zconfig_get (i, "round", "r2"), &item->round)) {
            snprintf (what, sizeof (what),
                      "item %s: round must be t2, r2, pct0 or none", item->id);
            goto cleanup;
        }
        const char *manual = zconfig_get (i, "manual", NULL);
        const char *formula = zconfig_get (i, "formula", NULL);
        if (manual && !formula) {
            char *end;
            item->default_value = strtod (manual, &end);
            if (end == manual || *end || !isfinite (item->default_value)) {
                snprintf (what, sizeof (what),
                          "item %s: manual needs a number (its default)",
                          item->id);
                goto cleanup;
            }
        } else if (formula && !manual) {
            char reason[256];
            item->formula =
                scorer__expr_compile (formula, s_resolve, &ctx, reason);
            if (!item->formula) {
                near = formula;
                snprintf (what, sizeof (what), "item %s: %s", item->id, reason);
                goto cleanup;
            }
        } else {
            snprintf (what, sizeof (what),
                      "item %s needs exactly one of formula or manual",
                      item->id);
            goto cleanup;
        }
        self->item_count++;
    }
    if (self->item_count == 0) {
        near = "items";
        snprintf (what, sizeof (what), "no items");
        goto cleanup;
    }
    near = "exclude";
    const char *exclude = zconfig_get (rs, "exclude", NULL);
    if (exclude && *exclude) {
        char reason[256];
        s_copy (self->exclude_text, sizeof (self->exclude_text), exclude);
        self->exclude = scorer__expr_compile (exclude, s_resolve, &ctx, reason);
        if (!self->exclude) {
            snprintf (what, sizeof (what), "exclude: %s", reason);
            goto cleanup;
        }
    }
    result = self;
    self = NULL;
cleanup:
    if (!result) {
        /* `near` may point into the zconfig tree: use it before freeing. */
        s_fail (self, text, origin, near, err, what);
        zconfig_destroy (&root);
        return NULL;
    }
    zconfig_destroy (&root);
    return result;
}

void
scorer_ruleset_destroy (scorer_ruleset_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    scorer_ruleset_t *self = *self_p;
    for (int i = 0; i < self->item_count; i++)
        scorer__expr_destroy (&self->items[i].formula);
    scorer__expr_destroy (&self->exclude);
    free (self);
    *self_p = NULL;
}

const char *
scorer_ruleset_id (const scorer_ruleset_t *self)
{
    return self->id;
}

scorer_period_kind_t
scorer_ruleset_period_kind (const scorer_ruleset_t *self)
{
    return self->period;
}

/* Adds or replaces (same id) a ruleset; takes ownership. */
static int
s_rulesets_add (scorer_rulesets_t *self, scorer_ruleset_t **ruleset_p,
                char *err)
{
    scorer_ruleset_t *rs = *ruleset_p;
    *ruleset_p = NULL;
    for (size_t i = 0; i < self->size; i++)
        if (strcmp (self->sets[i]->id, rs->id) == 0) {
            scorer_ruleset_destroy (&self->sets[i]);
            self->sets[i] = rs;
            return 0;
        }
    if (self->size >= sizeof (self->sets) / sizeof (self->sets[0])) {
        snprintf (err, 256, "too many rulesets");
        scorer_ruleset_destroy (&rs);
        return -1;
    }
    self->sets[self->size++] = rs;
    return 0;
}

static int
s_compare_names (void *a, void *b)
{
    return strcmp ((const char *)a, (const char *)b);
}

static int
s_load_dir (scorer_rulesets_t *self, const char *dir, char *err)
{
    DIR *d = opendir (dir);
    if (!d) {
        snprintf (err, 256, "%s: %s", dir, strerror (errno));
        return -1;
    }
    /* Sorted, so which file wins an id clash does not depend on the
       directory's order. */
    zlist_t *names = zlist_new ();
    zlist_autofree (names);
    for (struct dirent *e = readdir (d); e; e = readdir (d)) {
        size_t n = strlen (e->d_name);
        if (n > 4 && strcmp (e->d_name + n - 4, ".zpl") == 0)
            zlist_append (names, e->d_name);
    }
    closedir (d);
    zlist_sort (names, s_compare_names);
    int rc = 0;
    for (char *name = zlist_first (names); name && rc == 0;
         name = zlist_next (names)) {
        char path[4096];
        snprintf (path, sizeof (path), "%s/%s", dir, name);
        zfile_t *file = zfile_new (NULL, path);
        zchunk_t *chunk = file && zfile_input (file) == 0
                              ? zfile_read (file, zfile_cursize (file), 0)
                              : NULL;
        if (!chunk) {
            snprintf (err, 256, "%s: cannot read", path);
            rc = -1;
        } else {
            char *text = zchunk_strdup (chunk);
            scorer_ruleset_t *rs = scorer_ruleset_load (text, path, err);
            rc = rs ? s_rulesets_add (self, &rs, err) : -1;
            free (text);
        }
        zchunk_destroy (&chunk);
        zfile_destroy (&file);
    }
    zlist_destroy (&names);
    return rc;
}

scorer_rulesets_t *
scorer_rulesets_load (const char *dir, char *err)
{
    scorer_rulesets_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    for (int i = 0; scorer_embedded_rulesets[i].name; i++) {
        char origin[128];
        snprintf (origin, sizeof (origin), "(embedded) %s",
                  scorer_embedded_rulesets[i].name);
        scorer_ruleset_t *rs =
            scorer_ruleset_load (scorer_embedded_rulesets[i].text, origin, err);
        if (!rs || s_rulesets_add (self, &rs, err) != 0) {
            scorer_rulesets_destroy (&self);
            return NULL;
        }
    }
    if (dir && *dir && s_load_dir (self, dir, err) != 0) {
        scorer_rulesets_destroy (&self);
        return NULL;
    }
    return self;
}

void
scorer_rulesets_destroy (scorer_rulesets_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < (*self_p)->size; i++)
        scorer_ruleset_destroy (&(*self_p)->sets[i]);
    free (*self_p);
    *self_p = NULL;
}

size_t
scorer_rulesets_size (const scorer_rulesets_t *self)
{
    return self->size;
}

const scorer_ruleset_t *
scorer_rulesets_at (const scorer_rulesets_t *self, size_t index)
{
    return index < self->size ? self->sets[index] : NULL;
}

const scorer_ruleset_t *
scorer_rulesets_find (const scorer_rulesets_t *self, const char *id)
{
    for (size_t i = 0; i < self->size; i++)
        if (strcmp (self->sets[i]->id, id) == 0)
            return self->sets[i];
    return NULL;
}
