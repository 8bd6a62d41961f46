/*  hotline-bench: hotline's performance, measured against baselines run
    side by side (README, "Performance").

    hotline-bench ingest [options]   durable ingest vs raw ZeroMQ and
                                     SQLite; ack latency; replay; memory
    hotline-bench report [options]   month-end report time
    hotline-bench live [options]     stalled subscriber; event -> score
    hotline-bench web [options]      HTTP ingest beside ZeroMQ ingest; a
                                     stalled live HTTP client
    hotline-bench asof [options]     report as of a moment vs the live
                                     report; stats latency meanwhile
    hotline-bench all [--quick]      all of them, as the README table
                                     reports them

    Each part's --help lists its options; --quick is a seconds-long smoke
    run for CI whose figures are not judged. */
#include "bench.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: hotline-bench ingest|report|live|web|asof [options]\n"
             "       hotline-bench all [--quick]\n"
             "\n"
             "  ingest  durable ingest against raw ZeroMQ and SQLite, ack "
             "latency\n"
             "          at 1k and 10k events/s, replay, memory, store size;\n"
             "          floors: the same store work by LMDB alone\n"
             "  report  month-end report time by units and by events\n"
             "  live    a stalled subscriber's cost, event -> score latency\n"
             "  web     HTTP ingest beside ZeroMQ ingest, a stalled live HTTP "
             "client\n"
             "  asof    a report as of an earlier moment against the live "
             "one, and\n"
             "          the stats latency while it is built\n"
             "  all     all five with their defaults (--quick: a smoke run "
             "for CI)\n"
             "\n"
             "hotline-bench PART --help lists a part's options; "
             "--version prints the version.\n");
}

int
main (int argc, char *argv[])
{
    if (argc < 2 || strcmp (argv[1], "--help") == 0 ||
        strcmp (argv[1], "-h") == 0) {
        s_usage (argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp (argv[1], "--version") == 0) {
        printf ("hotline-bench %s\n", HOTLINE_VERSION);
        return 0;
    }
    const char *part = argv[1];
    if (strcmp (part, "ingest") == 0)
        return bench_ingest_main (argc - 1, argv + 1);
    if (strcmp (part, "report") == 0)
        return bench_report_main (argc - 1, argv + 1);
    if (strcmp (part, "live") == 0)
        return bench_live_main (argc - 1, argv + 1);
    if (strcmp (part, "web") == 0)
        return bench_web_main (argc - 1, argv + 1);
    if (strcmp (part, "asof") == 0)
        return bench_asof_main (argc - 1, argv + 1);
    if (strcmp (part, "all") == 0) {
        bool quick = argc > 2 && strcmp (argv[2], "--quick") == 0;
        if (argc > 2 && !quick) {
            s_usage (stderr);
            return 2;
        }
        char *args[] = {(char *)part, quick ? (char *)"--quick" : NULL, NULL};
        int n = quick ? 2 : 1;
        int rc = bench_ingest_main (n, args);
        if (rc == 0)
            rc = bench_report_main (n, args);
        if (rc == 0)
            rc = bench_live_main (n, args);
        if (rc == 0)
            rc = bench_web_main (n, args);
        if (rc == 0)
            rc = bench_asof_main (n, args);
        return rc;
    }
    fprintf (stderr, "hotline-bench: unknown part %s\n", part);
    s_usage (stderr);
    return 2;
}
