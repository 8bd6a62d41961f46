/*  state_appeals: appeals, exemptions and their effect on the counters
    (state.h, docs/appeals.md).

    A ticket's trail (state_trail.c) is the gross ledger of what it
    counted, per unit, period and counter, whether an exemption stands
    or not. An exemption subtracts the unit's gross counts of the
    exempted counters from the counters, in every period, marks the
    drill-down entries exempted, and sets the mask on the ticket record
    while the unit holds it, so that later counts go to the trail and the
    index (marked) but not to the counters. Withdrawing it adds the gross
    counts back and unmarks the entries: the counters are then exactly
    what they would have been without it. */
#include "state_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The record: fixed-size strings, the version byte first. */
#define APPEAL_VERSION 1
typedef struct {
    uint8_t version;                            /* APPEAL_VERSION */
    uint8_t state;                              /* state_appeal_state_t */
    uint32_t exempt;                            /* exempted counters */
    int64_t appealed_at;                        /* or 0 */
    int64_t decided_at;                         /* or 0 */
    char appeal_reason[PROTO_REASON_MAX + 1];   /* the unit's */
    char decision_reason[PROTO_REASON_MAX + 1]; /* the office's */
    char by[PROTO_NAME_MAX + 1];                /* who decided */
} s_record_t;

const char *
state_appeal_state_name (state_appeal_state_t state)
{
    static const char *names[] = {"", "open", "granted", "rejected"};
    return state <= STATE_APPEAL_REJECTED ? names[state] : "";
}

static size_t
s_key (uint8_t *key, const char *ticket, const char *unit)
{
    size_t t = strlen (ticket), u = strlen (unit);
    memcpy (key, ticket, t);
    key[t] = 0;
    memcpy (key + t + 1, unit, u);
    return t + 1 + u;
}

static int
s_get (store_txn_t *txn, const char *ticket, const char *unit, s_record_t *r)
{
    uint8_t key[2 * PROTO_ID_MAX + 2];
    size_t size = sizeof (*r);
    int rc = store_get (txn, STORE_APPEALS, key, s_key (key, ticket, unit), r,
                        &size);
    if (rc == STORE_OK && (size != sizeof (*r) || r->version != APPEAL_VERSION))
        return STORE_ERROR;
    if (rc == STORE_NOTFOUND)
        memset (r, 0, sizeof (*r));
    return rc;
}

static int
s_put (store_txn_t *txn, const char *ticket, const char *unit, s_record_t *r)
{
    uint8_t key[2 * PROTO_ID_MAX + 2];
    r->version = APPEAL_VERSION;
    return store_put (txn, STORE_APPEALS, key, s_key (key, ticket, unit), r,
                      sizeof (*r));
}

static void
s_export (const s_record_t *r, const char *ticket, const char *unit,
          state_appeal_t *a)
{
    memset (a, 0, sizeof (*a));
    snprintf (a->ticket_id, sizeof (a->ticket_id), "%s", ticket);
    snprintf (a->unit_id, sizeof (a->unit_id), "%s", unit);
    a->state = (state_appeal_state_t)r->state;
    a->exempt = r->exempt;
    a->appealed_at = r->appealed_at;
    a->decided_at = r->decided_at;
    memcpy (a->appeal_reason, r->appeal_reason, sizeof (a->appeal_reason));
    memcpy (a->decision_reason, r->decision_reason,
            sizeof (a->decision_reason));
    memcpy (a->by, r->by, sizeof (a->by));
}

int
state_appeal_get (store_txn_t *txn, const char *ticket_id, const char *unit_id,
                  state_appeal_t *appeal)
{
    s_record_t r;
    int rc = s_get (txn, ticket_id, unit_id, &r);
    if (rc == STORE_OK)
        s_export (&r, ticket_id, unit_id, appeal);
    return rc;
}

int
state_appeals_scan (store_txn_t *txn, state_appeal_fn *fn, void *arg)
{
    store_cursor_t *cursor = store_cursor_new (txn, STORE_APPEALS, NULL, 0);
    if (!cursor)
        return STORE_ERROR;
    const void *key, *value;
    size_t key_size, size;
    int rc;
    while ((rc = store_cursor_next (cursor, &key, &key_size, &value, &size)) ==
           STORE_OK) {
        const char *k = key;
        const char *nul = memchr (k, 0, key_size);
        s_record_t r;
        if (!nul || size != sizeof (r) || (size_t)(nul - k) > PROTO_ID_MAX ||
            key_size - (size_t)(nul - k) - 1 > PROTO_ID_MAX)
            continue;
        memcpy (&r, value, sizeof (r));
        char ticket[PROTO_ID_MAX + 1], unit[PROTO_ID_MAX + 1];
        memcpy (ticket, k, (size_t)(nul - k));
        ticket[nul - k] = 0;
        size_t u = key_size - (size_t)(nul - k) - 1;
        memcpy (unit, nul + 1, u);
        unit[u] = 0;
        state_appeal_t a;
        s_export (&r, ticket, unit, &a);
        fn (arg, &a);
    }
    store_cursor_destroy (&cursor);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

uint32_t
state__exempt_of (store_txn_t *txn, const char *ticket_id, const char *unit_id)
{
    s_record_t r;
    if (s_get (txn, ticket_id, unit_id, &r) != STORE_OK)
        return 0;
    return r.state == STATE_APPEAL_GRANTED ? r.exempt : 0;
}

/* ---- masks -------------------------------------------------------------- */

static const int s_closure[] = {RULES_CLOSED,
                                RULES_CLOSED_ON_TIME,
                                RULES_CLOSED_LATE,
                                RULES_FIRST_TIME_CLOSED,
                                RULES_DAYS_LATE,
                                RULES_KEY_CLOSED_LATE,
                                RULES_REPEAT_CLOSED_LATE};
static const int s_lateness[] = {RULES_CLOSED_LATE, RULES_DAYS_LATE,
                                 RULES_KEY_CLOSED_LATE,
                                 RULES_REPEAT_CLOSED_LATE};

static uint32_t
s_bits (const int *counters, size_t n)
{
    uint32_t mask = 0;
    for (size_t i = 0; i < n; i++)
        mask |= STATE_BIT (counters[i]);
    return mask;
}

#define ALL_BITS ((uint32_t)((1ull << RULES_COUNTERS) - 1))

int
state_exempt_mask (const char *text, uint32_t *mask, char *reason)
{
    *mask = 0;
    char copy[PROTO_REASON_MAX + 1];
    snprintf (copy, sizeof (copy), "%s", text && *text ? text : "all");
    for (char *save = NULL, *w = strtok_r (copy, " ,", &save); w;
         w = strtok_r (NULL, " ,", &save)) {
        int c = rules_counter_lookup (w);
        if (strcmp (w, "all") == 0)
            *mask |= ALL_BITS;
        else if (c == RULES_CLOSED)
            *mask |= s_bits (s_closure, sizeof (s_closure) / sizeof (int));
        else if (c == RULES_SHOULD_CLOSE)
            *mask |= s_bits (s_closure, sizeof (s_closure) / sizeof (int)) |
                     STATE_BIT (RULES_OVERDUE_OPEN);
        else if (c == RULES_CLOSED_LATE)
            *mask |= s_bits (s_lateness, sizeof (s_lateness) / sizeof (int));
        else if (c >= 0)
            *mask |= STATE_BIT (c);
        else {
            snprintf (reason, PROTO_ERROR_MAX,
                      "counters: unknown counter %.64s (docs/appeals.md)", w);
            return -1;
        }
    }
    if (*mask == 0) {
        snprintf (reason, PROTO_ERROR_MAX, "counters: no counter named");
        return -1;
    }
    return 0;
}

void
state_exempt_names (uint32_t mask, char *buf, size_t size)
{
    buf[0] = 0;
    if ((mask & ALL_BITS) == ALL_BITS) {
        snprintf (buf, size, "all");
        return;
    }
    size_t used = 0;
    for (int c = 0; c < RULES_COUNTERS && used < size; c++)
        if (mask & STATE_BIT (c))
            used += (size_t)snprintf (buf + used, size - used, "%s%s",
                                      used ? " " : "", rules_counter_name (c));
}

/* ---- the effect on the counters ----------------------------------------- */

/* One (period, counter) of the unit's gross counts. */
typedef struct {
    proto_period_t period; /* where */
    int counter;           /* what */
    long sum;              /* how much, gross */
} s_sum_t;

#define SUMS_MAX 256

typedef struct {
    const char *unit;       /* whose counts */
    uint32_t mask;          /* which counters */
    s_sum_t sums[SUMS_MAX]; /* summed */
    size_t count;           /* used */
    uint64_t first_seq;     /* the unit's first event, 0: none */
} s_gather_t;

static void
s_gather (void *arg, uint64_t seq, bool clock, const char *unit,
          const state_count_t *counts, size_t n)
{
    s_gather_t *g = arg;
    if (strcmp (unit, g->unit) != 0)
        return;
    if (!clock && !g->first_seq)
        g->first_seq = seq;
    for (size_t i = 0; i < n; i++) {
        const state_count_t *c = &counts[i];
        if (!(g->mask & STATE_BIT (c->counter)))
            continue;
        size_t k = 0;
        while (k < g->count && !(g->sums[k].counter == c->counter &&
                                 g->sums[k].period.kind == c->period.kind &&
                                 g->sums[k].period.code == c->period.code))
            k++;
        if (k == g->count) {
            if (g->count == SUMS_MAX)
                continue; /* more periods than a ticket can have */
            g->sums[g->count++] = (s_sum_t){c->period, c->counter, 0};
        }
        g->sums[k].sum += c->delta;
    }
}

/* The channel and category of the unit's episode with the ticket: its
   receipt, the first event of the unit in the ticket's trail. */
static void
s_episode_slices (store_txn_t *txn, uint64_t seq, char *channel, char *category)
{
    channel[0] = category[0] = 0;
    uint8_t key[8], bytes[4096];
    store_put_be64 (key, seq);
    size_t size = sizeof (bytes);
    proto_event_t ev;
    char why[PROTO_ERROR_MAX + 1];
    if (seq && store_get (txn, STORE_LOG, key, 8, bytes, &size) == STORE_OK &&
        proto_event_decode (bytes, size, &ev, why) == 0) {
        memcpy (channel, ev.channel, sizeof (ev.channel));
        memcpy (category, ev.category, sizeof (ev.category));
    }
}

/* Takes the unit's gross counts of `mask` out of the counters (sign -1)
   or puts them back (+1), and marks the drill-down entries. */
static int
s_move (state_work_t *w, const char *unit, uint32_t mask, int sign,
        uint32_t standing)
{
    s_gather_t g = {.unit = unit, .mask = mask};
    int rc = state__trail_walk (w->txn, w->t, s_gather, &g);
    if (rc == STORE_NOTFOUND)
        rc = STORE_OK;
    char channel[PROTO_TOKEN_MAX + 1], category[PROTO_TOKEN_MAX + 1];
    s_episode_slices (w->txn, g.first_seq, channel, category);
    for (size_t k = 0; k < g.count && rc == STORE_OK; k++) {
        const s_sum_t *s = &g.sums[k];
        char p[8];
        proto_period_format (s->period, p);
        if (s->counter < RULES_STORED_COUNTERS && s->sum)
            rc = state__add_counter (w->txn, s->period, unit, channel, category,
                                     s->counter, (int32_t)(sign * s->sum));
        /* Lateness exempted, the closure not: it counts as on time. */
        else if (s->counter == RULES_CLOSED_LATE &&
                 !(standing & STATE_BIT (RULES_CLOSED)) && s->sum)
            rc = state__add_counter (w->txn, s->period, unit, channel, category,
                                     RULES_CLOSED_ON_TIME,
                                     (int32_t)(-sign * s->sum));
        if (rc == STORE_OK)
            rc = state__index_mark (w->txn, p, unit, s->counter, w->ticket_id,
                                    sign < 0);
        state__effects_touch (w->effects, s->period, unit);
    }
    return rc;
}

int
state_ticket_sums (store_txn_t *txn, const char *ticket_id, const char *unit_id,
                   state_sum_fn *fn, void *arg)
{
    s_gather_t *g = calloc (1, sizeof (*g));
    if (!g)
        return STORE_ERROR;
    g->unit = unit_id;
    g->mask = ALL_BITS;
    int rc = state_trail_scan (txn, ticket_id, s_gather, g);
    if (rc == STORE_NOTFOUND)
        rc = STORE_OK;
    for (size_t k = 0; rc == STORE_OK && k < g->count; k++)
        fn (arg, g->sums[k].period, g->sums[k].counter, g->sums[k].sum);
    free (g);
    return rc;
}

/* ---- the events --------------------------------------------------------- */

/* Whether the unit ever had the ticket: its owner now, or a unit in its
   trail. */
typedef struct {
    const char *unit; /* asked */
    bool seen;        /* found */
} s_had_t;

static void
s_had (void *arg, uint64_t seq, bool clock, const char *unit,
       const state_count_t *counts, size_t n)
{
    (void)seq;
    (void)clock;
    (void)counts;
    (void)n;
    s_had_t *h = arg;
    h->seen = h->seen || strcmp (h->unit, unit) == 0;
}

bool
state__appeal_check (store_txn_t *txn, const proto_event_t *ev,
                     const state_ticket_t *t, bool have, char *reason,
                     int *store_rc, state_reject_t *kind)
{
    if (!have) {
        snprintf (reason, PROTO_ERROR_MAX, "unknown ticket %s", ev->ticket_id);
        *kind = STATE_REJECT_UNKNOWN_TICKET;
        return false;
    }
    s_had_t had = {ev->unit_id, strcmp (t->unit_id, ev->unit_id) == 0};
    if (!had.seen) {
        int rc = state_trail_scan (txn, ev->ticket_id, s_had, &had);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) {
            *store_rc = rc;
            return false;
        }
    }
    if (!had.seen) {
        snprintf (reason, PROTO_ERROR_MAX, "unit %s never had ticket %s",
                  ev->unit_id, ev->ticket_id);
        *kind = STATE_REJECT_WRONG_UNIT;
        return false;
    }
    uint32_t mask;
    if (ev->type == PROTO_EXEMPTED &&
        state_exempt_mask (ev->counters, &mask, reason) != 0) {
        *kind = STATE_REJECT_INVALID;
        return false;
    }
    s_record_t r;
    int rc = s_get (txn, ev->ticket_id, ev->unit_id, &r);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) {
        *store_rc = rc;
        return false;
    }
    if ((ev->type == PROTO_UNEXEMPTED && r.state != STATE_APPEAL_GRANTED) ||
        (ev->type == PROTO_APPEAL_REJECTED &&
         r.state == STATE_APPEAL_GRANTED)) {
        snprintf (reason, PROTO_ERROR_MAX,
                  ev->type == PROTO_UNEXEMPTED
                      ? "ticket %s is not exempted for unit %s"
                      : "ticket %s is exempted for unit %s: unexempt it "
                        "instead",
                  ev->ticket_id, ev->unit_id);
        *kind = STATE_REJECT_WRONG_STATE;
        return false;
    }
    return true;
}

int
state__appeal_apply (state_work_t *w, const proto_event_t *ev)
{
    s_record_t r;
    int rc = s_get (w->txn, ev->ticket_id, ev->unit_id, &r);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    bool owner = strcmp (w->t->unit_id, ev->unit_id) == 0;
    rc = STORE_OK;
    switch (ev->type) {
    case PROTO_APPEALED:
        if (r.state != STATE_APPEAL_GRANTED)
            r.state = STATE_APPEAL_OPEN;
        r.appealed_at = ev->occurred_at;
        snprintf (r.appeal_reason, sizeof (r.appeal_reason), "%s", ev->reason);
        break;
    case PROTO_EXEMPTED: {
        /* A wider exemption over a standing one: the old one is put back
           first, then the whole new one taken out, so what one counter's
           exemption did to another (lateness counted as on time) is
           never left half done. */
        uint32_t mask = 0;
        char why[PROTO_ERROR_MAX + 1];
        state_exempt_mask (ev->counters, &mask, why);
        if (r.state == STATE_APPEAL_GRANTED && r.exempt)
            rc = s_move (w, ev->unit_id, r.exempt, +1, r.exempt);
        r.exempt = (r.state == STATE_APPEAL_GRANTED ? r.exempt : 0) | mask;
        if (rc == STORE_OK)
            rc = s_move (w, ev->unit_id, r.exempt, -1, r.exempt);
        r.state = STATE_APPEAL_GRANTED;
        break;
    }
    case PROTO_UNEXEMPTED:
        rc = s_move (w, ev->unit_id, r.exempt, +1, r.exempt);
        r.exempt = 0;
        r.state = STATE_APPEAL_REJECTED;
        break;
    default: /* PROTO_APPEAL_REJECTED */
        r.state = STATE_APPEAL_REJECTED;
    }
    if (ev->type != PROTO_APPEALED) {
        r.decided_at = ev->occurred_at;
        snprintf (r.decision_reason, sizeof (r.decision_reason), "%s",
                  ev->reason);
        snprintf (r.by, sizeof (r.by), "%s", ev->by);
    }
    if (owner)
        w->t->exempt = r.exempt;
    return rc == STORE_OK ? s_put (w->txn, ev->ticket_id, ev->unit_id, &r) : rc;
}
