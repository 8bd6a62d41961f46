/*  scorer_catalog: the daemon's rulesets, replaceable while it runs.

    Readers take the current set with one atomic load at the start of an
    operation and use it to the end. A reload builds a complete new set
    first; only if every file loads does it become current. Replaced sets
    are kept until the catalog is destroyed, so a reader still using one
    never sees it freed: reloads are rare and a set is a few kilobytes. */
#include "scorer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETIRED_MAX 256

struct _scorer_catalog_t {
    char dir[1024];                          /* extra ruleset directory */
    _Atomic (scorer_rulesets_t *) current;   /* what readers use */
    pthread_mutex_t lock;                    /* serialises reloads */
    scorer_rulesets_t *retired[RETIRED_MAX]; /* replaced sets */
    size_t retired_count;                    /* how many */
};

scorer_catalog_t *
scorer_catalog_new (const char *dir, char *err)
{
    scorer_rulesets_t *sets = scorer_rulesets_load (dir, err);
    if (!sets)
        return NULL;
    scorer_catalog_t *self = calloc (1, sizeof (*self));
    if (!self) {
        scorer_rulesets_destroy (&sets);
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    snprintf (self->dir, sizeof (self->dir), "%s", dir ? dir : "");
    atomic_store (&self->current, sets);
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
scorer_catalog_destroy (scorer_catalog_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    scorer_catalog_t *self = *self_p;
    scorer_rulesets_t *current = atomic_load (&self->current);
    scorer_rulesets_destroy (&current);
    for (size_t i = 0; i < self->retired_count; i++)
        scorer_rulesets_destroy (&self->retired[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

const scorer_rulesets_t *
scorer_catalog_current (scorer_catalog_t *self)
{
    return atomic_load (&self->current);
}

int
scorer_catalog_reload (scorer_catalog_t *self, char *err)
{
    pthread_mutex_lock (&self->lock);
    int rc = -1;
    if (self->retired_count == RETIRED_MAX)
        snprintf (err, 256, "too many reloads: restart the daemon");
    else {
        scorer_rulesets_t *fresh = scorer_rulesets_load (self->dir, err);
        if (fresh) {
            self->retired[self->retired_count++] =
                atomic_exchange (&self->current, fresh);
            rc = 0;
        }
    }
    pthread_mutex_unlock (&self->lock);
    return rc;
}
