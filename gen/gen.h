/*  gen: what hotline-gen (gen_month.c) and hotline-synth (gen_synth.c)
    share: the one event writer, the units CSV writer, the command line
    and the local calendar.

    Events are built as proto_event_t, collected, sorted by time and
    written as JSON lines through proto_event_to_json, so a generated line
    is exactly what proto_event_from_json reads back. Collected events
    are kept encoded (proto_event_encode, about a tenth of the struct's
    size), so a month at 100 times the bulletin's volume fits in memory.

    Errors: functions that return int return 0 or -1; on -1 the reason
    has been written to stderr, prefixed with the program's name.

    Thread rules: an object belongs to the thread that made it; nothing
    here keeps global state. Links only proto (and libc).
*/
#ifndef GEN_H_INCLUDED
#define GEN_H_INCLUDED

#include "proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GEN_EXIT_USAGE 2 /* exit code of a command line error */

/*  --------------------------------------------------------------------
    Command line                                                         */

/* One option: "--name VALUE" sets *value, or "--name" alone sets *flag
   (exactly one of the two is set). A table ends with a NULL name. */
typedef struct {
    const char *name;   /* with the dashes: "--seed" */
    const char **value; /* where the value goes, or NULL */
    bool *flag;         /* set true when given, or NULL */
} gen_option_t;

/* Outcome of gen_args_parse. */
typedef enum {
    GEN_ARGS_RUN = 0,    /* options read: go on */
    GEN_ARGS_DONE = 1,   /* --help or --version was answered: exit 0 */
    GEN_ARGS_USAGE = -1, /* a usage error was reported: exit 2 */
} gen_args_t;

/* Reads argv against `options`. --help and -h print `usage` to stdout,
   --version prints "PROGRAM VERSION"; an unknown argument or a missing
   value is reported on stderr (with `usage` for an unknown one). */
gen_args_t gen_args_parse (const char *program, int argc, char **argv,
                           const gen_option_t *options,
                           void (*usage) (FILE *out));

/*  --------------------------------------------------------------------
    Calendar in Asia/Shanghai (+08:00, no daylight saving since 1991),
    computed here so the output does not depend on the TZ database.
    Times are seconds since the epoch.                                   */

#define GEN_TZ_OFFSET (8 * 3600) /* seconds east of UTC */
#define GEN_DAY       86400      /* seconds */

/* The local date `day` of month `month` at `seconds` past midnight. */
int64_t gen_local_time (int year, int month, int day, int seconds);
/* The first instant of the month after `month` (1..12) of `year`. */
int64_t gen_month_after (int year, int month);
/* Days in a month: 28 to 31. */
int gen_days_in_month (int year, int month);

/*  --------------------------------------------------------------------
    Events                                                               */

/* Clears `event` and sets its type, its time (`at`, seconds) and, unless
   NULL, its unit and ticket ids (which must fit PROTO_ID_MAX). */
void gen_event_init (proto_event_t *event, proto_type_t type, int64_t at,
                     const char *unit_id, const char *ticket_id);

/* Milliseconds of a time in seconds, for the event's other times. */
int64_t gen_ms (int64_t seconds);

/* The order of the streams: by time, then by order of creation (`seq`).
   Negative, 0 or positive, as qsort's comparators. */
int gen_order (int64_t at_a, size_t seq_a, int64_t at_b, size_t seq_b);

typedef struct _gen_events_t gen_events_t;

/* An empty collection; NULL when out of memory. */
gen_events_t *gen_events_new (void);
/* Frees it; NULL-safe, nulls the caller's pointer. */
void gen_events_destroy (gen_events_t **self_p);

/* Adds a copy of `event`; its event_id is ignored (ids are given in file
   order by gen_events_write). Events that occur at the same time keep
   the order they were added in. Out of memory is remembered and
   reported by gen_events_write; the event is then not counted. */
void gen_events_add (gen_events_t *self, const proto_event_t *event);
/* Events added so far. */
size_t gen_events_count (const gen_events_t *self);

/* Sorts the events by time and writes them to `path`, one JSON line
   each (proto_event_to_json), with event ids `id_prefix` followed by the
   line number in six or more digits ("jintai-000001"). Fails when an
   event was lost to memory, does not pass proto_event_validate (a
   generator bug, named with its line) or cannot be written. */
int gen_events_write (gen_events_t *self, const char *program, const char *path,
                      const char *id_prefix);

/*  --------------------------------------------------------------------
    The units registry CSV (docs/units.md): a header unit_id,name,group,
    then a row per unit, a field in double quotes when it holds a comma,
    a quote or a line break.                                             */

/* One row of the registry (the strings are borrowed). */
typedef struct {
    const char *unit_id; /* registry key */
    const char *name;    /* label */
    const char *group;   /* "town", "dept"... */
} gen_unit_t;

/* Writes `count` units to `path`, in their order. */
int gen_units_write (const char *program, const char *path,
                     const gen_unit_t *units, size_t count);

#endif
