/*  state_units: the units registry (STORE_UNITS).

    Record: 4-byte big-endian registry order, then name \0 group \0. The
    order is given once, when a unit is first imported, so reports keep
    listing units in the order the jurisdiction published its registry. */
#include "state_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_unit_decode (const uint8_t *value, size_t size, rules_unit_t *unit)
{
    if (size < 6 || value[size - 1] != 0)
        return STORE_ERROR;
    unit->order = ((uint32_t)value[0] << 24) | ((uint32_t)value[1] << 16) |
                  ((uint32_t)value[2] << 8) | value[3];
    const char *name = (const char *)value + 4;
    size_t name_len = strnlen (name, size - 4);
    if (4 + name_len + 1 >= size || name_len > PROTO_REASON_MAX)
        return STORE_ERROR;
    const char *group = name + name_len + 1;
    size_t group_len = strlen (group);
    if (group_len > PROTO_ID_MAX)
        return STORE_ERROR;
    memcpy (unit->name, name, name_len + 1);
    memcpy (unit->group, group, group_len + 1);
    return STORE_OK;
}

int
state_unit_get (store_txn_t *txn, const char *unit_id, rules_unit_t *unit)
{
    uint8_t value[4 + PROTO_REASON_MAX + PROTO_ID_MAX + 2];
    size_t size = sizeof (value);
    int rc =
        store_get (txn, STORE_UNITS, unit_id, strlen (unit_id), value, &size);
    if (rc != STORE_OK)
        return rc;
    snprintf (unit->unit_id, sizeof (unit->unit_id), "%s", unit_id);
    return s_unit_decode (value, size, unit);
}

int
state_units_import (store_txn_t *txn, const proto_unit_t *units, size_t count,
                    size_t *added)
{
    *added = 0;
    uint64_t next = 0;
    int rc = store_meta_get (txn, "units_next", &next);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    for (size_t i = 0; i < count; i++) {
        rules_unit_t old;
        uint32_t order;
        rc = state_unit_get (txn, units[i].unit_id, &old);
        if (rc == STORE_OK)
            order = old.order;
        else if (rc == STORE_NOTFOUND) {
            order = (uint32_t)++next;
            (*added)++;
        } else
            return rc;
        uint8_t value[4 + PROTO_REASON_MAX + PROTO_ID_MAX + 2];
        size_t name_len = strlen (units[i].name);
        size_t group_len = strlen (units[i].group);
        value[0] = (uint8_t)(order >> 24);
        value[1] = (uint8_t)(order >> 16);
        value[2] = (uint8_t)(order >> 8);
        value[3] = (uint8_t)order;
        memcpy (value + 4, units[i].name, name_len + 1);
        memcpy (value + 4 + name_len + 1, units[i].group, group_len + 1);
        rc = store_put (txn, STORE_UNITS, units[i].unit_id,
                        strlen (units[i].unit_id), value,
                        4 + name_len + 1 + group_len + 1);
        if (rc != STORE_OK)
            return rc;
    }
    return store_meta_put (txn, "units_next", next);
}

static int
s_compare_order (const void *a, const void *b)
{
    const rules_unit_t *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

rules_unit_t *
state_units_list (store_txn_t *txn, size_t *count)
{
    *count = 0;
    size_t total = store_count (txn, STORE_UNITS);
    if (total == 0)
        return NULL;
    rules_unit_t *units = calloc (total, sizeof (*units));
    store_cursor_t *cursor = store_cursor_new (txn, STORE_UNITS, NULL, 0);
    if (!units || !cursor) {
        free (units);
        store_cursor_destroy (&cursor);
        return NULL;
    }
    const void *key, *value;
    size_t key_size, size, n = 0;
    while (n < total && store_cursor_next (cursor, &key, &key_size, &value,
                                           &size) == STORE_OK) {
        if (key_size > PROTO_ID_MAX ||
            s_unit_decode (value, size, &units[n]) != STORE_OK)
            continue; /* a damaged record is skipped, not fatal */
        memcpy (units[n].unit_id, key, key_size);
        units[n].unit_id[key_size] = 0;
        n++;
    }
    store_cursor_destroy (&cursor);
    qsort (units, n, sizeof (*units), s_compare_order);
    *count = n;
    return units;
}
