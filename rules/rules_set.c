/*  rules_set: the embedded rulesets plus an office's directory of its
    own, in one set (rules.h). */
#include "rules_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SETS_MAX 64

struct _rules_set_t {
    rules_ruleset_t *sets[SETS_MAX]; /* loaded rulesets */
    size_t size;                     /* how many */
};

/* Adds or replaces (same id) a ruleset; takes ownership. */
static int
s_rulesets_add (rules_set_t *self, rules_ruleset_t **ruleset_p, char *err)
{
    rules_ruleset_t *rs = *ruleset_p;
    *ruleset_p = NULL;
    for (size_t i = 0; i < self->size; i++)
        if (strcmp (self->sets[i]->id, rs->id) == 0) {
            rules_ruleset_destroy (&self->sets[i]);
            self->sets[i] = rs;
            return 0;
        }
    if (self->size >= sizeof (self->sets) / sizeof (self->sets[0])) {
        snprintf (err, 256, "too many rulesets");
        rules_ruleset_destroy (&rs);
        return -1;
    }
    self->sets[self->size++] = rs;
    return 0;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

/* The whole file as a string the caller frees, or NULL. */
static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    char *text = NULL;
    long size = -1;
    if (fseek (file, 0, SEEK_END) == 0 && (size = ftell (file)) >= 0 &&
        fseek (file, 0, SEEK_SET) == 0 &&
        (text = malloc ((size_t)size + 1)) != NULL) {
        if (fread (text, 1, (size_t)size, file) != (size_t)size) {
            free (text);
            text = NULL;
        } else
            text[size] = 0;
    }
    fclose (file);
    return text;
}

/* The *.zpl names of dir, sorted, so which file wins an id clash does
   not depend on the directory's order. */
static char **
s_list_dir (const char *dir, size_t *count, char *err)
{
    DIR *d = opendir (dir);
    if (!d) {
        snprintf (err, RULES_ERR_MAX, "%s: %s", dir, strerror (errno));
        return NULL;
    }
    char **names = NULL;
    size_t used = 0, size = 0;
    bool failed = false;
    for (struct dirent *e = readdir (d); e && !failed; e = readdir (d)) {
        size_t n = strlen (e->d_name);
        if (n <= 4 || strcmp (e->d_name + n - 4, ".zpl") != 0)
            continue;
        if (used == size) {
            size = size ? size * 2 : 16;
            char **more = realloc (names, size * sizeof (*names));
            if (!more) {
                failed = true;
                break;
            }
            names = more;
        }
        if (!(names[used] = strdup (e->d_name)))
            failed = true;
        else
            used++;
    }
    closedir (d);
    if (failed) {
        for (size_t i = 0; i < used; i++)
            free (names[i]);
        free (names);
        snprintf (err, RULES_ERR_MAX, "out of memory");
        return NULL;
    }
    if (used)
        qsort (names, used, sizeof (*names), s_compare_names);
    *count = used;
    return names ? names : calloc (1, sizeof (*names));
}

static int
s_load_dir (rules_set_t *self, const char *dir, char *err)
{
    size_t count = 0;
    char **names = s_list_dir (dir, &count, err);
    if (!names)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf (path, sizeof (path), "%s/%s", dir, names[i]);
        char *text = rc == 0 ? s_read_file (path) : NULL;
        if (rc == 0 && !text) {
            snprintf (err, RULES_ERR_MAX, "%s: cannot read", path);
            rc = -1;
        } else if (rc == 0) {
            rules_ruleset_t *rs = rules_ruleset_load (text, path, err);
            rc = rs ? s_rulesets_add (self, &rs, err) : -1;
        }
        free (text);
        free (names[i]);
    }
    free (names);
    return rc;
}

rules_set_t *
rules_set_load (const char *dir, char *err)
{
    rules_set_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    for (int i = 0; rules_embedded[i].name; i++) {
        char origin[128];
        snprintf (origin, sizeof (origin), "(embedded) %s",
                  rules_embedded[i].name);
        rules_ruleset_t *rs =
            rules_ruleset_load (rules_embedded[i].text, origin, err);
        if (!rs || s_rulesets_add (self, &rs, err) != 0) {
            rules_set_destroy (&self);
            return NULL;
        }
    }
    if (dir && *dir && s_load_dir (self, dir, err) != 0) {
        rules_set_destroy (&self);
        return NULL;
    }
    return self;
}

void
rules_set_destroy (rules_set_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < (*self_p)->size; i++)
        rules_ruleset_destroy (&(*self_p)->sets[i]);
    free (*self_p);
    *self_p = NULL;
}

size_t
rules_set_size (const rules_set_t *self)
{
    return self->size;
}

const rules_ruleset_t *
rules_set_at (const rules_set_t *self, size_t index)
{
    return index < self->size ? self->sets[index] : NULL;
}

const rules_ruleset_t *
rules_set_find (const rules_set_t *self, const char *id)
{
    for (size_t i = 0; i < self->size; i++)
        if (strcmp (self->sets[i]->id, id) == 0)
            return self->sets[i];
    return NULL;
}
