/*  fuzz_ruleset: the bytes as a ZPL ruleset for rules_ruleset_load.

    Rulesets are operator files, but a typo must be answered with a reason
    naming the file, never a crash or a leak. A ruleset that loads is then
    scored once over a small fixed board (scoring is pure), so the compiled
    formulas run as well; scoring may refuse (-1) but must not crash.
*/
#include "rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define S_UNITS 4

#define S_CHECK(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "fuzz_ruleset: %s:%d: check failed: %s\n",        \
                     __FILE__, __LINE__, #cond);                               \
            abort ();                                                          \
        }                                                                      \
    } while (0)

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    //  zconfig (czmq 4.2) reports every syntax error with zclock_log,
    //  which prints to stdout and ignores zsys_set_logstream; with
    //  millions of inputs that would bury libFuzzer's own lines (which go
    //  to stderr). The loader's err says enough. HOTLINE_FUZZ_VERBOSE=1
    //  keeps them, to see what zconfig thinks of a reproducer.
    const char *verbose = getenv ("HOTLINE_FUZZ_VERBOSE");
    if (!verbose || strcmp (verbose, "1") != 0) {
        if (!freopen ("/dev/null", "w", stdout))
            fprintf (stderr, "fuzz_ruleset: cannot silence stdout\n");
    }
    return 0;
}

/* Counters for one unit of the board: nothing at all, a typical month, a
   bad month and a very large unit, so rates hit 0, 1 and in between. */
static void
s_counters (size_t unit, double *counters)
{
    for (int c = 0; c < RULES_STORED_COUNTERS; c++) {
        switch (unit) {
        case 0:
            counters[c] = 0;
            break;
        case 1:
            counters[c] = (double)(c % 7 + 1);
            break;
        case 2:
            counters[c] = (double)(3 * c + 2);
            break;
        default:
            counters[c] = 1e6 + c;
            break;
        }
    }
    //  Keep the stored counters coherent where scoring divides by them.
    counters[RULES_CLOSED_ON_TIME] = counters[RULES_CLOSED] / 2;
    rules_counters_derive (counters);
}

static void
s_score (const rules_ruleset_t *rs)
{
    rules_unit_t units[S_UNITS];
    rules_input_t in[S_UNITS];
    rules_output_t out[S_UNITS];
    memset (units, 0, sizeof units);
    memset (in, 0, sizeof in);
    for (size_t u = 0; u < S_UNITS; u++) {
        snprintf (units[u].unit_id, sizeof units[u].unit_id, "U%zu", u);
        snprintf (units[u].name, sizeof units[u].name, "unit %zu", u);
        //  Spread the units over the ruleset's tables, plus one in no
        //  table at all.
        const char *group = "no-such-group";
        if (rs->table_count > 0 && u + 1 < S_UNITS)
            group = rs->tables[u % (size_t)rs->table_count].group;
        snprintf (units[u].group, sizeof units[u].group, "%s", group);
        units[u].order = (uint32_t)u + 1;
        in[u].unit = &units[u];
        s_counters (u, in[u].counters);
        for (int m = 0; m < RULES_ITEMS_MAX; m++)
            in[u].manual[m] = u == 2 ? (double)m : NAN;
        in[u].bonus = u == 1 ? 1.5 : NAN;
    }
    char err[256] = "";
    int rc = rules_score (rs, in, S_UNITS, out, err);
    S_CHECK (rc == 0 || rc == -1);
    S_CHECK (memchr (err, '\0', sizeof err) != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  ZPL text is a C string: an embedded NUL simply ends it.
    char *text = malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text[size] = '\0';
    char err[256];
    err[0] = '\0';
    rules_ruleset_t *rs = rules_ruleset_load (text, "fuzz.zpl", err);
    if (rs) {
        S_CHECK (rules_ruleset_id (rs)[0] != '\0');
        s_score (rs);
        rules_ruleset_destroy (&rs);
        S_CHECK (rs == NULL);
    } else
        S_CHECK (memchr (err, '\0', sizeof err) != NULL && err[0] != '\0');
    free (text);
    return 0;
}
