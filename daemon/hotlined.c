/*  hotlined: the hotline daemon. Wires the actors and waits for a signal.

    publisher  <- PUSH (inproc notify) <- scorer <- PAIR (inproc) <- ingest
    query (reads the store directly; LMDB readers never block the writer)
    web (HTTP): talks to ingest, query and the publisher over inproc
    endpoints they bind besides their own

    main () only wires: it reads the options and the configuration, takes
    the data directory, starts the actors downstream first, waits for
    SIGTERM or SIGINT, and stops them upstream first, so nothing is
    acknowledged that is not committed.
*/
#include "config.h"
#include "ingest.h"
#include "publisher.h"
#include "query.h"
#include "scorer.h"
#include "security.h"
#include "stats.h"
#include "web.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2

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
        "5573 (snapshot), and the dashboard, HTTP API and metrics on\n"
        "http://127.0.0.1:8080/ (docs/web.md).\n"
        "\n"
        "  --config FILE   ZPL configuration (default: $HOTLINE_CONFIG,\n"
        "                  else embedded; --print-config shows it)\n"
        "  --data DIR      LMDB data directory\n"
        "  --clock MODE    wall: deadlines pass in real time; event: time\n"
        "                  is the latest event time (replays, tests)\n"
        "  --rulesets DIR  load *.zpl rulesets from DIR as well\n"
        "  --print-config  print the embedded default configuration\n"
        "  --version       print the version\n"
        "  --help          this text\n"
        "\n"
        "CURVE encryption and client authentication: set curve_secret (the\n"
        "server's NAME_secret certificate) and curve_clients (a directory\n"
        "of allowed clients' public certificates) in the configuration;\n"
        "make certificates with hotline keygen NAME. Endpoints beyond\n"
        "loopback need CURVE, or insecure = yes. HTTP beyond loopback\n"
        "needs http_tokens (a file of \"TOKEN ROLE\" lines); http_cert and\n"
        "http_key turn on TLS.\n");
}

/* Reads the options into the configuration. Returns -1 to go on, else
   the exit code (help, version, a usage error). */
static int
s_options (int argc, char *argv[], config_t *config)
{
    static struct option options[] = {{"config", required_argument, 0, 'c'},
                                      {"data", required_argument, 0, 'd'},
                                      {"clock", required_argument, 0, 'k'},
                                      {"rulesets", required_argument, 0, 'r'},
                                      {"print-config", no_argument, 0, 'p'},
                                      {"version", no_argument, 0, 'V'},
                                      {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    const char *path = NULL, *data = NULL, *clock = NULL, *rulesets = NULL;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:d:k:r:ph", options, NULL)) !=
           -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'k':
            clock = optarg;
            break;
        case 'r':
            rulesets = optarg;
            break;
        case 'p':
            fputs (config_default_text (), stdout);
            return 0;
        case 'V':
            printf ("hotlined %s\n", HOTLINE_VERSION);
            return 0;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "hotlined: unexpected argument %s\n", argv[optind]);
        s_usage (stderr);
        return EXIT_USAGE;
    }
    char err[256];
    if (config_load (config, path, err) != 0) {
        fprintf (stderr, "hotlined: %s\n", err);
        return EXIT_USAGE;
    }
    if (data)
        snprintf (config->data, sizeof (config->data), "%s", data);
    if (clock)
        snprintf (config->clock, sizeof (config->clock), "%s", clock);
    if (rulesets)
        snprintf (config->rulesets, sizeof (config->rulesets), "%s", rulesets);
    if (strcmp (config->clock, "wall") != 0 &&
        strcmp (config->clock, "event") != 0) {
        fprintf (stderr, "hotlined: --clock must be wall or event\n");
        return EXIT_USAGE;
    }
    return -1;
}

/* CURVE is all or nothing: a daemon asked to authenticate clients never
   starts open because a certificate could not be read; and an endpoint
   others can reach is never open without it unless the configuration
   says insecure = yes. Returns 0 (security set, or NULL for none) or
   -1 after a message. */
static int
s_security (const config_t *config, security_t **security)
{
    char err[256];
    *security = NULL;
    if (*config->curve_secret || *config->curve_clients) {
        *security =
            security_new (config->curve_secret, config->curve_clients, err);
        if (!*security) {
            fprintf (stderr, "hotlined: %s\n", err);
            return -1;
        }
        return 0;
    }
    const char *endpoints[] = {config->ingest, config->publish, config->query,
                               config->snapshot};
    if (!config_http_local (config->http) && !*config->http_tokens) {
        fprintf (stderr,
                 "hotlined: http = %s is reachable from other machines and "
                 "has no tokens: set http_tokens to a file of \"TOKEN ROLE\" "
                 "lines (docs/web.md), or listen on 127.0.0.1\n",
                 config->http);
        return -1;
    }
    for (size_t i = 0; i < 4 && !config->insecure; i++)
        if (!config_endpoint_local (endpoints[i])) {
            fprintf (stderr,
                     "hotlined: %s is reachable from other machines and "
                     "CURVE is off: set curve_secret and curve_clients "
                     "(README, Access control), or insecure = yes to run "
                     "open on purpose\n",
                     endpoints[i]);
            return -1;
        }
    return 0;
}

/* Takes the data directory and opens the store, refusing a half-rebuilt
   one, and records the warning share and the working time with the
   data: the state machine reads them where deadlines and windows are
   measured, and a replay of this store uses the same. Returns the store,
   or NULL after a message. */
static store_t *
s_open_store (const config_t *config, store_lock_t **lock)
{
    char err[256];
    *lock = store_lock (config->data, err);
    store_t *store =
        *lock ? store_new (config->data, config->map_size_mb << 20, err) : NULL;
    if (!store) {
        fprintf (stderr, "hotlined: %s\n", err);
        store_unlock (lock);
        return NULL;
    }
    store_set_map_max (store, config->map_max_mb << 20);
    if (config->unsafe_no_sync) {
        if (store_set_synced (store, false) != STORE_OK) {
            fprintf (stderr, "hotlined: unsafe_no_sync: %s\n",
                     store_strerror (STORE_ERROR));
            store_destroy (&store);
            store_unlock (lock);
            return NULL;
        }
        zsys_warning ("unsafe_no_sync = yes: commits are NOT synced to disk; "
                      "an acknowledgement means the page cache, and a crash "
                      "of the machine can lose acknowledged events and leave "
                      "the store unreadable. For measuring only.");
    }
    store_txn_t *txn = store_begin (store, true);
    int rc = txn ? STORE_OK : STORE_ERROR;
    if (txn && state_rebuild_pending (txn, NULL)) {
        fprintf (stderr,
                 "hotlined: a rebuild of %s was interrupted: run `hotline "
                 "replay --data %s` to finish it\n",
                 config->data, config->data);
        store_abort (&txn);
        store_destroy (&store);
        store_unlock (lock);
        return NULL;
    }
    char layout[256];
    if (txn && state_layout_check (txn, layout) != 0) {
        fprintf (stderr,
                 "hotlined: %s: %s: run `hotline replay --data %s` to "
                 "rebuild them from the event log\n",
                 config->data, layout, config->data);
        store_abort (&txn);
        store_destroy (&store);
        store_unlock (lock);
        return NULL;
    }
    if (rc == STORE_OK)
        rc = state_open_deadlines_keep (txn);
    if (rc == STORE_OK)
        rc = store_meta_put (txn, "warn_permille",
                             (uint64_t)(config->warning_share * 1000 + 0.5));
    /* The working time too (docs/calendar.md): checked here, refused with
       its reason. */
    char why[256] = "";
    if (rc == STORE_OK)
        rc = state_calendar_configure (
            txn, config->calendar, config->working_hours, config->windows, why);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc == -1 && *why)
        fprintf (stderr, "hotlined: %s (docs/calendar.md)\n", why);
    else if (rc != STORE_OK)
        fprintf (stderr, "hotlined: cannot write to %s: %s\n", config->data,
                 store_strerror (rc));
    if (rc != STORE_OK) {
        store_destroy (&store);
        store_unlock (lock);
    }
    return store;
}

/* The running daemon: its parts and the actors' arguments. */
typedef struct {
    config_t config;          /* settings */
    security_t *security;     /* CURVE, or NULL */
    rules_catalog_t *catalog; /* rulesets */
    store_lock_t *lock;       /* the data directory */
    store_t *store;           /* the store */
    stats_t stats;            /* shared counters */
    char notify[64];          /* scorer -> publisher */
    char batches[64];         /* ingest -> scorer */
    char inproc[4][64];       /* web -> ingest, query, publish, snapshot */
    publisher_args_t publisher_args;
    scorer_args_t scorer_args;
    ingest_args_t ingest_args;
    query_args_t query_args;
    web_args_t web_args;
    zactor_t *actors[5]; /* publisher, scorer, ingest, query, web */
    int actor_count;     /* started, or to start */
} s_daemon_t;

/* Starts the actors downstream first, so each actor's peers exist when
   it connects. Returns 0, or -1 when one could not start (logged). */
static int
s_start (s_daemon_t *d)
{
    config_t *c = &d->config;
    /* Inproc names carry the process id so two daemons in one test
       process would not collide. */
    snprintf (d->notify, sizeof (d->notify), "inproc://hotline-notify-%d",
              (int)getpid ());
    snprintf (d->batches, sizeof (d->batches), "inproc://hotline-scorer-%d",
              (int)getpid ());
    const char *names[4] = {"ingest", "query", "publish", "snapshot"};
    for (int i = 0; i < 4; i++)
        snprintf (d->inproc[i], sizeof (d->inproc[i]),
                  "inproc://hotline-web-%s-%d", names[i], (int)getpid ());
    bool web = strcmp (c->http, "off") != 0;
    d->publisher_args = (publisher_args_t){c->publish,
                                           c->snapshot,
                                           d->notify,
                                           d->store,
                                           d->catalog,
                                           c->publish_hwm,
                                           c->heartbeat_ms,
                                           &d->stats,
                                           false,
                                           d->security,
                                           web ? d->inproc[2] : NULL,
                                           web ? d->inproc[3] : NULL};
    d->scorer_args = (scorer_args_t){
        d->store,
        d->batches,
        strcmp (c->clock, "event") == 0 ? STATE_CLOCK_EVENT : STATE_CLOCK_WALL,
        d->notify,
        1000,
        &d->stats,
        false,
        c->dead_letters_max,
        c->slow_group_ms};
    d->ingest_args = (ingest_args_t){c->ingest,
                                     d->batches,
                                     c->batch_max,
                                     &d->stats,
                                     false,
                                     d->security,
                                     web ? d->inproc[0] : NULL};
    d->query_args = (query_args_t){.endpoint = c->query,
                                   .store = d->store,
                                   .catalog = d->catalog,
                                   .clock = c->clock,
                                   .stats = &d->stats,
                                   .security = d->security,
                                   .inproc = web ? d->inproc[1] : NULL,
                                   .asof_spacing = c->asof_spacing,
                                   .asof_checkpoints = c->asof_checkpoints,
                                   .asof_budget_mb = c->asof_budget_mb};
    d->web_args = (web_args_t){.address = c->http,
                               .tokens = c->http_tokens,
                               .cert = c->http_cert,
                               .key = c->http_key,
                               .body_max = c->http_body_max,
                               .linger_s = c->live_linger_s,
                               .ingest = d->inproc[0],
                               .query = d->inproc[1],
                               .publish = d->inproc[2],
                               .snapshot = d->inproc[3],
                               .stats = &d->stats};
    struct {
        zactor_fn *fn;
        void *args;
        bool *failed;
    } plan[5] = {
        {publisher_actor, &d->publisher_args, &d->publisher_args.failed},
        {scorer_actor, &d->scorer_args, &d->scorer_args.failed},
        {ingest_actor, &d->ingest_args, &d->ingest_args.failed},
        {query_actor, &d->query_args, &d->query_args.failed},
        {web_actor, &d->web_args, &d->web_args.failed}};
    d->actor_count = web ? 5 : 4;
    for (int i = 0; i < d->actor_count; i++) {
        d->actors[i] = zactor_new (plan[i].fn, plan[i].args);
        if (!d->actors[i] || *plan[i].failed)
            return -1;
    }
    return 0;
}

/* Waits for SIGTERM or SIGINT, which main alone takes (s_stop_signals):
   czmq's handler sets zsys_interrupted and interrupts the poll. Returns
   the exit code: 0, or 1 when an actor stopped by itself. */
static int
s_wait (s_daemon_t *d)
{
    zpoller_t *poller = zpoller_new (d->actors[0], NULL);
    for (int i = 1; i < d->actor_count; i++)
        zpoller_add (poller, d->actors[i]);
    int rc = 0;
    while (!zsys_interrupted) {
        /* An actor whose end is seen once the flag is set is not
           counted as failing: the stop ends it anyway. */
        if (zpoller_wait (poller, 1000) && !zsys_interrupted) {
            zsys_error ("an actor stopped unexpectedly");
            rc = 1;
            break;
        }
    }
    zpoller_destroy (&poller);
    zsys_info ("stopping");
    return rc;
}

/* Blocks (SIG_BLOCK) or unblocks (SIG_UNBLOCK) SIGTERM and SIGINT in the
   calling thread. The kernel hands a process's signal to any thread that
   does not block it, and a thread inherits its creator's mask: main
   blocks them while it starts the actors (and the CURVE authenticator),
   so that only main ever takes a stop signal, and again once it stops,
   so that a second Ctrl-C cannot interrupt its wait for an actor's end
   (the stop is bounded by STOP_LIMIT_S instead). A signal blocked
   everywhere stays pending and does nothing. */
static void
s_stop_signals (int how)
{
    sigset_t set;
    sigemptyset (&set);
    sigaddset (&set, SIGTERM);
    sigaddset (&set, SIGINT);
    pthread_sigmask (how, &set, NULL);
}

/* A stop ends within this many seconds, whatever an actor is doing. */
#define STOP_LIMIT_S 8

/* The stop's last resort: a stop that has not finished by STOP_LIMIT_S
   ends the process here. Nothing half-stored is left (an LMDB commit is
   whole or absent), what was not acknowledged is sent again by its
   senders, and the data-directory lock goes with the process. */
static void
s_stop_overdue (int sig)
{
    (void)sig;
    static const char text[] = "hotlined: stopping took longer than 8 s: "
                               "exiting now (unacknowledged events are "
                               "sent again by their senders)\n";
    ssize_t written = write (STDERR_FILENO, text, sizeof (text) - 1);
    (void)written;
    _exit (1);
}

/* Stops the actors upstream first (the web and ingest stop taking
   events before the scorer goes), then closes everything. */
static void
s_stop (s_daemon_t *d)
{
    s_stop_signals (SIG_BLOCK);
    struct sigaction overdue = {.sa_handler = s_stop_overdue};
    sigaction (SIGALRM, &overdue, NULL);
    alarm (STOP_LIMIT_S);
    for (int i = 4; i >= 0; i--)
        zactor_destroy (&d->actors[i]);
    store_destroy (&d->store);
    store_unlock (&d->lock);
    rules_catalog_destroy (&d->catalog);
    /* Last: every secured socket is closed by now. */
    security_destroy (&d->security);
}

int
main (int argc, char *argv[])
{
    s_daemon_t d;
    memset (&d, 0, sizeof (d));
    int rc = s_options (argc, argv, &d.config);
    if (rc >= 0)
        return rc;
    if (s_security (&d.config, &d.security) != 0)
        return EXIT_USAGE;
    zsys_init ();
    zsys_set_logident ("hotlined");
    /* Every thread started from here on blocks the stop signals (a
       signal sent meanwhile waits for s_wait). */
    s_stop_signals (SIG_BLOCK);
    char err[256];
    /* zauth must be in force before the first secured socket binds. */
    if (d.security && security_start (d.security) != 0) {
        fprintf (stderr, "hotlined: cannot start the CURVE authenticator\n");
        security_destroy (&d.security);
        return 1;
    }
    d.catalog = rules_catalog_new (d.config.rulesets, err);
    if (!d.catalog)
        fprintf (stderr, "hotlined: %s\n", err);
    else
        d.store = s_open_store (&d.config, &d.lock);
    rc = 1;
    bool started = d.store && s_start (&d) == 0;
    s_stop_signals (SIG_UNBLOCK);
    if (started) {
        zsys_info ("ready: ingest %s, publish %s, snapshot %s, query %s, "
                   "http %s, data %s, clock %s, %zu rulesets",
                   d.config.ingest, d.config.publish, d.config.snapshot,
                   d.config.query, *d.web_args.bound ? d.web_args.bound : "off",
                   d.config.data, d.config.clock,
                   rules_set_size (rules_catalog_current (d.catalog)));
        if (d.security)
            zsys_info ("CURVE on: server public key %s, clients allowed "
                       "from %s",
                       security_public_txt (d.security),
                       d.config.curve_clients);
        rc = s_wait (&d);
    } else if (d.store)
        fprintf (stderr, "hotlined: could not start (see the log above)\n");
    s_stop (&d);
    return rc;
}
