/*  hotlined: the hotline daemon. Wires the actors and waits for a signal.

    publisher  <- PUSH (inproc notify) <- scorer <- PAIR (inproc) <- ingest
    query (reads the store directly; LMDB readers never block the writer)
*/
#include "config.h"
#include "ingest.h"
#include "publisher.h"
#include "query.h"
#include "scorer.h"
#include "security.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Takes the data directory's lock, <data>/hotlined.lock, for the life
   of the process (the descriptor is never closed): one hotlined or one
   `hotline replay` per directory. Returns -1 with a reason in err. */
static int
s_lock_data (const char *dir, char *err)
{
    char path[1100];
    snprintf (path, sizeof (path), "%s/hotlined.lock", dir);
    if (mkdir (dir, 0750) != 0 && errno != EEXIST) {
        snprintf (err, 256, "cannot create %s: %s", dir, strerror (errno));
        return -1;
    }
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf (err, 256, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf (err, 256, "another hotlined or hotline replay is using %s",
                  dir);
        close (fd);
        return -1;
    }
    return fd;
}

static void
s_usage (FILE *out)
{
    fprintf (
        out,
        "usage: hotlined [--config FILE] [--data DIR] [--clock wall|event]\n"
        "                [--rulesets DIR]\n"
        "\n"
        "Runs hotline's ingest, scorer, publisher and query endpoints\n"
        "until SIGTERM or SIGINT. With no options it uses the embedded\n"
        "default configuration: data in ./hotline-data, endpoints on\n"
        "127.0.0.1 ports 5570 (ingest), 5571 (publish), 5572 (query),\n"
        "5573 (snapshot).\n"
        "\n"
        "  --config FILE   ZPL configuration (default: $HOTLINE_CONFIG,\n"
        "                  else embedded; --print-config shows it)\n"
        "  --data DIR      LMDB data directory\n"
        "  --clock MODE    wall: deadlines pass in real time; event: time\n"
        "                  is the latest event time (replays, tests)\n"
        "  --rulesets DIR  load *.zpl rulesets from DIR as well\n"
        "  --print-config  print the embedded default configuration\n"
        "  --help          this text\n"
        "\n"
        "CURVE encryption and client authentication: set curve_secret (the\n"
        "server's NAME_secret certificate) and curve_clients (a directory\n"
        "of allowed clients' public certificates) in the configuration;\n"
        "make certificates with hotline keygen NAME.\n");
}

int
main (int argc, char *argv[])
{
    static struct option options[] = {{"config", required_argument, 0, 'c'},
                                      {"data", required_argument, 0, 'd'},
                                      {"clock", required_argument, 0, 'k'},
                                      {"rulesets", required_argument, 0, 'r'},
                                      {"print-config", no_argument, 0, 'p'},
                                      {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    const char *config_path = NULL, *data = NULL, *clock = NULL,
               *rulesets_dir = NULL;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:d:k:r:ph", options, NULL)) !=
           -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'k':
            clock = optarg;
            break;
        case 'r':
            rulesets_dir = optarg;
            break;
        case 'p':
            fputs (config_default_text (), stdout);
            return 0;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "hotlined: unexpected argument %s\n", argv[optind]);
        s_usage (stderr);
        return 2;
    }
    config_t config;
    char err[256];
    if (config_load (&config, config_path, err) != 0) {
        fprintf (stderr, "hotlined: %s\n", err);
        return 2;
    }
    if (data)
        snprintf (config.data, sizeof (config.data), "%s", data);
    if (clock)
        snprintf (config.clock, sizeof (config.clock), "%s", clock);
    if (rulesets_dir)
        snprintf (config.rulesets, sizeof (config.rulesets), "%s",
                  rulesets_dir);
    if (strcmp (config.clock, "wall") != 0 &&
        strcmp (config.clock, "event") != 0) {
        fprintf (stderr, "hotlined: --clock must be wall or event\n");
        return 2;
    }
    /* CURVE is all or nothing: a daemon asked to authenticate clients
       never starts open because a certificate could not be read. */
    security_t *security = NULL;
    if (*config.curve_secret || *config.curve_clients) {
        security =
            security_new (config.curve_secret, config.curve_clients, err);
        if (!security) {
            fprintf (stderr, "hotlined: %s\n", err);
            return 2;
        }
    }

    zsys_init ();
    zsys_set_logident ("hotlined");
    /* zauth must be in force before the first secured socket binds. */
    if (security && security_start (security) != 0) {
        fprintf (stderr, "hotlined: cannot start the CURVE authenticator\n");
        security_destroy (&security);
        return 1;
    }
    int rc = 1;
    store_t *store = NULL;
    rules_catalog_t *catalog = rules_catalog_new (config.rulesets, err);
    if (!catalog) {
        fprintf (stderr, "hotlined: %s\n", err);
        security_destroy (&security);
        return 1;
    }
    if (s_lock_data (config.data, err) < 0) {
        fprintf (stderr, "hotlined: %s\n", err);
        rules_catalog_destroy (&catalog);
        security_destroy (&security);
        return 1;
    }
    store = store_new (config.data, config.map_size_mb << 20, err);
    if (!store) {
        fprintf (stderr, "hotlined: %s\n", err);
        rules_catalog_destroy (&catalog);
        security_destroy (&security);
        return 1;
    }
    store_txn_t *txn = store_begin (store, true);
    /* Half-rebuilt aggregates would score wrong: finish the rebuild. */
    uint64_t rebuild_next = 0;
    if (txn &&
        store_meta_get (txn, "rebuild_next", &rebuild_next) == STORE_OK &&
        rebuild_next) {
        fprintf (stderr,
                 "hotlined: a rebuild of %s was interrupted: run `hotline "
                 "replay --data %s` to finish it\n",
                 config.data, config.data);
        store_abort (&txn);
        store_destroy (&store);
        rules_catalog_destroy (&catalog);
        security_destroy (&security);
        return 1;
    }
    /* The warning share is kept with the data: the scorer reads it where
       deadlines are set, and a replay of this store uses the same one. */
    int wrc =
        txn ? store_meta_put (txn, "warn_permille",
                              (uint64_t)(config.warning_share * 1000 + 0.5))
            : STORE_ERROR;
    if (wrc == STORE_OK)
        wrc = store_commit (&txn);
    else
        store_abort (&txn);
    if (wrc != STORE_OK) {
        fprintf (stderr, "hotlined: cannot write to %s: %s\n", config.data,
                 store_strerror (wrc));
        store_destroy (&store);
        rules_catalog_destroy (&catalog);
        security_destroy (&security);
        return 1;
    }
    /* Inproc names carry the process id so two daemons in one test
       process (never done today) would not collide. */
    char notify[64], batches[64];
    snprintf (notify, sizeof (notify), "inproc://hotline-notify-%d",
              (int)getpid ());
    snprintf (batches, sizeof (batches), "inproc://hotline-scorer-%d",
              (int)getpid ());
    stats_t stats;
    memset (&stats, 0, sizeof (stats));
    publisher_args_t pub_args = {
        config.publish,     config.snapshot,     notify, store, catalog,
        config.publish_hwm, config.heartbeat_ms, &stats, false, security};
    scorer_args_t scorer_args = {store,
                                 batches,
                                 strcmp (config.clock, "event") == 0
                                     ? STATE_CLOCK_EVENT
                                     : STATE_CLOCK_WALL,
                                 notify,
                                 1000,
                                 &stats,
                                 false};
    ingest_args_t ingest_args = {config.ingest, batches, config.batch_max,
                                 &stats,        false,   security};
    query_args_t query_args = {config.query, store, catalog, config.clock,
                               &stats,       false, security};
    /* Downstream first: each actor's peers exist when it connects. */
    zactor_t *publisher = zactor_new (publisher_actor, &pub_args);
    zactor_t *scorer =
        pub_args.failed ? NULL : zactor_new (scorer_actor, &scorer_args);
    zactor_t *ingest = scorer && !scorer_args.failed
                           ? zactor_new (ingest_actor, &ingest_args)
                           : NULL;
    zactor_t *query = ingest && !ingest_args.failed
                          ? zactor_new (query_actor, &query_args)
                          : NULL;
    if (query && !query_args.failed) {
        zsys_info ("ready: ingest %s, publish %s, snapshot %s, query %s, "
                   "data %s, clock %s, %zu rulesets",
                   config.ingest, config.publish, config.snapshot, config.query,
                   config.data, config.clock,
                   rules_set_size (rules_catalog_current (catalog)));
        if (security)
            zsys_info ("CURVE on: server public key %s, clients allowed "
                       "from %s",
                       security_public_txt (security), config.curve_clients);
        /* Wait for SIGTERM/SIGINT; czmq's handler sets zsys_interrupted
           and wakes the poller. */
        zpoller_t *poller =
            zpoller_new (publisher, scorer, ingest, query, NULL);
        while (!zsys_interrupted) {
            void *which = zpoller_wait (poller, 1000);
            if (which) {
                zsys_error ("an actor stopped unexpectedly");
                break;
            }
        }
        zpoller_destroy (&poller);
        rc = zsys_interrupted ? 0 : 1;
        zsys_info ("stopping");
    } else
        fprintf (stderr, "hotlined: could not start (see the log above)\n");
    /* Upstream first: ingest stops taking events before the scorer goes,
       so nothing is acknowledged that is not committed. */
    zactor_destroy (&query);
    zactor_destroy (&ingest);
    zactor_destroy (&scorer);
    zactor_destroy (&publisher);
    store_destroy (&store);
    rules_catalog_destroy (&catalog);
    /* Last: every secured socket is closed by now. */
    security_destroy (&security);
    return rc;
}
