/*  rules_catalog: the daemon's rulesets, replaceable while it runs.

    Readers take the current set with one atomic load at the start of an
    operation and use it to the end. A reload builds a complete new set
    first; only if every file loads does it become current. Replaced sets
    are kept until the catalog is destroyed, so a reader still using one
    never sees it freed: reloads are rare and a set is a few kilobytes. */
#include "rules_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETIRED_MAX 256

struct _rules_catalog_t {
    char dir[1024];                    /* extra ruleset directory */
    _Atomic (rules_set_t *) current;   /* what readers use */
    pthread_mutex_t lock;              /* serialises reloads */
    rules_set_t *retired[RETIRED_MAX]; /* replaced sets */
    size_t retired_count;              /* how many */
};

rules_catalog_t *
rules_catalog_new (const char *dir, char *err)
{
    rules_set_t *sets = rules_set_load (dir, err);
    if (!sets)
        return NULL;
    rules_catalog_t *self = calloc (1, sizeof (*self));
    if (!self) {
        rules_set_destroy (&sets);
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    snprintf (self->dir, sizeof (self->dir), "%s", dir ? dir : "");
    atomic_store (&self->current, sets);
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
rules_catalog_destroy (rules_catalog_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_catalog_t *self = *self_p;
    rules_set_t *current = atomic_load (&self->current);
    rules_set_destroy (&current);
    for (size_t i = 0; i < self->retired_count; i++)
        rules_set_destroy (&self->retired[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

const rules_set_t *
rules_catalog_current (rules_catalog_t *self)
{
    return atomic_load (&self->current);
}

int
rules_catalog_reload (rules_catalog_t *self, char *err)
{
    pthread_mutex_lock (&self->lock);
    int rc = -1;
    if (self->retired_count == RETIRED_MAX)
        snprintf (err, 256, "too many reloads: restart the daemon");
    else {
        rules_set_t *fresh = rules_set_load (self->dir, err);
        if (fresh) {
            self->retired[self->retired_count++] =
                atomic_exchange (&self->current, fresh);
            rc = 0;
        }
    }
    pthread_mutex_unlock (&self->lock);
    return rc;
}
