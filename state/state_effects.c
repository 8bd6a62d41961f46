/*  state_effects: what a transaction changed, collected for the
    publisher (state.h). A set of touched "period\x1funit" texts (open
    addressing: a batch touches each pair many times) and a list of
    alerts in the order raised. */
#include "state_internal.h"

#include <stdlib.h>
#include <string.h>

struct _state_effects_t {
    char **slots;        /* hash set of touched texts, NULL: free */
    size_t slot_count;   /* a power of two, or 0 */
    char **touched;      /* the same texts in insertion order */
    size_t touched_used; /* how many */
    char **alerts;       /* unit, json, unit, json... */
    size_t alert_used;   /* texts used (two per alert) */
    size_t alert_size;   /* texts allocated */
};

state_effects_t *
state_effects_new (void)
{
    return calloc (1, sizeof (state_effects_t));
}

void
state_effects_reset (state_effects_t *self)
{
    for (size_t i = 0; i < self->touched_used; i++)
        free (self->touched[i]);
    for (size_t i = 0; i < self->alert_used; i++)
        free (self->alerts[i]);
    if (self->slot_count)
        memset (self->slots, 0, self->slot_count * sizeof (*self->slots));
    self->touched_used = 0;
    self->alert_used = 0;
}

void
state_effects_destroy (state_effects_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    state_effects_t *self = *self_p;
    state_effects_reset (self);
    free (self->slots);
    free (self->touched);
    free (self->alerts);
    free (self);
    *self_p = NULL;
}

static uint32_t
s_hash (const char *text)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *text; text++)
        h = (h ^ (uint8_t)*text) * 16777619u;
    return h;
}

/* Grows the set so it stays at most half full. */
static bool
s_grow (state_effects_t *self)
{
    if (self->touched_used * 2 < self->slot_count)
        return true;
    size_t count = self->slot_count ? self->slot_count * 2 : 64;
    char **slots = calloc (count, sizeof (*slots));
    char **touched = realloc (self->touched, count * sizeof (*touched));
    if (!slots || !touched) {
        free (slots);
        if (touched)
            self->touched = touched;
        return false;
    }
    self->touched = touched;
    for (size_t i = 0; i < self->touched_used; i++) {
        size_t at = s_hash (touched[i]) & (count - 1);
        while (slots[at])
            at = (at + 1) & (count - 1);
        slots[at] = touched[i];
    }
    free (self->slots);
    self->slots = slots;
    self->slot_count = count;
    return true;
}

/* Adds a touched text unless present. Out of memory drops it: the
   publisher then misses one row update until the unit changes again,
   which never costs an acknowledged event. */
static void
s_insert (state_effects_t *self, const char *text)
{
    if (!s_grow (self))
        return;
    size_t at = s_hash (text) & (self->slot_count - 1);
    while (self->slots[at]) {
        if (strcmp (self->slots[at], text) == 0)
            return;
        at = (at + 1) & (self->slot_count - 1);
    }
    char *copy = strdup (text);
    if (!copy)
        return;
    self->slots[at] = copy;
    self->touched[self->touched_used++] = copy;
}

void
state__effects_touch (state_effects_t *effects, proto_period_t period,
                      const char *unit)
{
    if (!effects)
        return;
    char key[8 + PROTO_ID_MAX + 2];
    proto_period_format (period, key);
    size_t unit_size = strnlen (unit, PROTO_ID_MAX);
    key[7] = '\x1f';
    memcpy (key + 8, unit, unit_size);
    key[8 + unit_size] = 0;
    s_insert (effects, key);
}

void
state__effects_alert (state_effects_t *effects, const char *unit,
                      const char *json)
{
    if (!effects)
        return;
    if (effects->alert_used + 2 > effects->alert_size) {
        size_t size = effects->alert_size ? effects->alert_size * 2 : 16;
        char **alerts = realloc (effects->alerts, size * sizeof (*alerts));
        if (!alerts)
            return;
        effects->alerts = alerts;
        effects->alert_size = size;
    }
    char *u = strdup (unit), *j = strdup (json);
    if (!u || !j) {
        free (u);
        free (j);
        return;
    }
    effects->alerts[effects->alert_used++] = u;
    effects->alerts[effects->alert_used++] = j;
}

void
state_effects_merge (state_effects_t *self, state_effects_t *from)
{
    for (size_t i = 0; i < from->touched_used; i++)
        s_insert (self, from->touched[i]);
    for (size_t i = 0; i + 1 < from->alert_used; i += 2)
        state__effects_alert (self, from->alerts[i], from->alerts[i + 1]);
    state_effects_reset (from);
}

bool
state_effects_empty (const state_effects_t *self)
{
    return self->touched_used == 0 && self->alert_used == 0;
}

size_t
state_effects_touched_count (const state_effects_t *self)
{
    return self->touched_used;
}

const char *
state_effects_touched_at (const state_effects_t *self, size_t index)
{
    return index < self->touched_used ? self->touched[index] : NULL;
}

size_t
state_effects_alert_count (const state_effects_t *self)
{
    return self->alert_used / 2;
}

void
state_effects_alert_at (const state_effects_t *self, size_t index,
                        const char **unit, const char **json)
{
    *unit = index * 2 + 1 < self->alert_used ? self->alerts[index * 2] : NULL;
    *json =
        index * 2 + 1 < self->alert_used ? self->alerts[index * 2 + 1] : NULL;
}
