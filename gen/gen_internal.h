/*  gen_internal: what hotline-synth's two files share (gen_synth.c plans
    and writes the streams, gen_golden.c reads the published tables); not
    part of gen.h's contract. */
#ifndef GEN_INTERNAL_H_INCLUDED
#define GEN_INTERNAL_H_INCLUDED

#include "gen.h"

#define GEN_MAX_MONTHS 3      /* a quarter */
#define GEN_MAX_COUNT  100000 /* per golden cell; more is a typo, not a unit */

/* A scheme names the period and which golden columns feed the plan. */
typedef struct {
    const char *name;         /* --scheme value and ruleset id */
    const char *unit_prefix;  /* unit ids are prefix + 2 digits */
    const char *event_prefix; /* event ids are prefix + 6 digits */
    int year;                 /* of the period */
    int first_month;          /* 1..12 */
    int months;               /* 1 for a month, 3 for a quarter */
    bool has_note;            /* late closures and rework per month in the
                                 note column (fufeng) */
} gen_scheme_t;

/* One unit of the golden table and what it must end up with. */
typedef struct {
    char id[16];                        /* unit_id in both outputs */
    char *name;                         /* label from the golden file, owned */
    char *group;                        /* group token, owned */
    long line;                          /* golden line, for messages */
    long should_close;                  /* 应办结 */
    long closed;                        /* 办结 */
    long on_time;                       /* 按期办结 */
    long overdue_returns;               /* 逾期退单 */
    long unsatisfied;                   /* 不满意 revisits */
    long rework;                        /* 返工 / 退回重办 */
    long late_by_month[GEN_MAX_MONTHS]; /* late closures per month */
    long rework_by_month[GEN_MAX_MONTHS]; /* rework revisits per month */
    bool on_time_return;                  /* add one return inside 2 h */
} gen_golden_unit_t;

/* Reads the golden file at `path` into units (appended to *units, *count
   of them; the caller frees them and their name and group, even on
   failure): the scheme's columns, each unit's counters checked to fit
   together. Returns 0, or -1 after printing why.
   Blank lines are skipped; the file is read with proto_csv. */
int gen__golden_read (const gen_scheme_t *scheme, const char *path,
                      gen_golden_unit_t **units, size_t *count);

#endif
