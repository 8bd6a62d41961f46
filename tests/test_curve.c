/*  CURVE, end to end: the real hotlined with curve_secret and
    curve_clients set, and real clients. A client whose public certificate
    is in curve_clients imports units, sends, subscribes and queries; a
    client with an unknown certificate, and one without CURVE, is never
    heard. The certificate checks of security_new and client_secure, and a
    daemon refusing to start on a broken CURVE configuration. */
#include "client.h"
#include "client_secure.h"
#include "client_sub.h"
#include "harness.h"
#include "security.h"

#include <criterion/criterion.h>
#include <czmq.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static harness_t h;
static char s_server[512];  /* the server's certificate (NAME) */
static char s_clients[512]; /* allowed clients' public certificates */
static char s_alice[512];   /* an allowed client (NAME) */
static char s_mallory[512]; /* a client not in s_clients (NAME) */

/* Paths of NAME_secret, in a static buffer per name. */
static const char *
s_secret (const char *name)
{
    static char buf[4][600];
    static int next;
    char *out = buf[next++ % 4];
    snprintf (out, 600, "%s_secret", name);
    return out;
}

/* Writes NAME and NAME_secret, and the public half into `allow` too. */
static void
s_make_cert (const char *name, const char *allow)
{
    zcert_t *cert = zcert_new ();
    cr_assert_not_null (cert);
    cr_assert_eq (zcert_save (cert, name), 0);
    if (allow)
        cr_assert_eq (zcert_save_public (cert, allow), 0);
    zcert_destroy (&cert);
}

/* A client configuration with the daemon's endpoints and `extra` lines. */
static void
s_write_config (const char *file, const char *extra)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, file, path), "w");
    cr_assert_not_null (f);
    fprintf (f,
             "hotline\n"
             "    ingest = %s\n"
             "    publish = %s\n"
             "    query = %s\n"
             "    snapshot = %s\n"
             "%s",
             h.ingest, h.publish, h.query, h.snapshot, extra);
    fclose (f);
}

static void
s_setup (void)
{
    harness_init (&h, "event");
    harness_path (&h, "server", s_server);
    harness_path (&h, "clients", s_clients);
    harness_path (&h, "alice", s_alice);
    harness_path (&h, "mallory", s_mallory);
    cr_assert_eq (zsys_dir_create ("%s", s_clients), 0);
    s_make_cert (s_server, NULL);
    char allow[600];
    snprintf (allow, sizeof (allow), "%s/alice", s_clients);
    s_make_cert (s_alice, allow);
    s_make_cert (s_mallory, NULL);
    /* One file for both sides, as a single-machine install has it. */
    harness_set (&h, "curve_secret", s_secret (s_server));
    harness_set (&h, "curve_clients", s_clients);
    harness_set (&h, "curve_client", s_secret (s_alice));
    harness_set (&h, "curve_server_public", s_server);
    char extra[2048];
    snprintf (extra, sizeof (extra),
              "    curve_client = \"%s\"\n"
              "    curve_server_public = \"%s\"\n",
              s_secret (s_mallory), s_server);
    s_write_config ("mallory.cfg", extra);
    s_write_config ("plain.cfg", "");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (curve, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* harness_start asks with a plain client, which this daemon never
   answers: start it the same way, and ask as alice. */
static void
s_start (void)
{
    char log[512];
    harness_path (&h, "daemon.log", log);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 1, log,
                                      O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2 (&actions, 1, 2);
    char *argv[] = {(char *)HOTLINED_BIN, (char *)"--config", h.config, NULL};
    int rc =
        posix_spawn (&h.daemon, HOTLINED_BIN, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy (&actions);
    cr_assert_eq (rc, 0);
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    for (int i = 0; i < 50; i++) {
        char *json = NULL, err[256];
        if (client_query_secure (h.query, s_secret (s_alice), s_server, &q, 200,
                                 &json, err) == 0) {
            free (json);
            return;
        }
        int status;
        if (waitpid (h.daemon, &status, WNOHANG) == h.daemon) {
            h.daemon = 0;
            char *text = harness_slurp (log);
            cr_assert_fail ("hotlined exited: %s", text ? text : "");
        }
    }
    cr_assert_fail ("hotlined did not answer alice");
}

static void
s_write (const char *name, const char *text)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (f);
    fputs (text, f);
    fclose (f);
}

static const char *s_event =
    "{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T08:05:00+08:00\","
    "\"dispatched_at\":\"2025-07-01T08:00:00+08:00\",\"due_at\":"
    "\"2025-07-01T18:00:00+08:00\",\"channel\":\"hotline\",\"category\":"
    "\"other\"}\n";

typedef struct {
    int scores; /* live score/ messages seen */
} s_seen_t;

static void
s_count_scores (void *arg, uint64_t sequence, const char *topic,
                const char *json, bool snapshot)
{
    (void)sequence;
    (void)json;
    s_seen_t *seen = arg;
    if (!snapshot && strncmp (topic, "score/", 6) == 0)
        seen->scores++;
}

/* Nothing a refused client sent may have been stored. */
static void
s_assert_nothing_stored (void)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq (harness_run (&h, &out, &err, "$HOTLINE stats"), 0, "%s", err);
    cr_expect (strstr (out, "\"events_stored\":0,") != NULL, "%s", out);
    free (out);
    free (err);
}

/* The refused client (configuration `cfg`) sends, queries and
   subscribes, and is heard nowhere. */
static void
s_assert_refused (const char *cfg, const char *client_cert,
                  const char *server_public)
{
    s_write ("events.jsonl", s_event);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE --config %s --timeout 2000 "
                               "--ack-wait 500 send events.jsonl",
                               cfg),
                  1, "a refused send must fail: %s", err);
    cr_expect (strstr (err, "events.jsonl:1: not stored") != NULL, "%s", err);
    free (err);
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE --config %s --timeout 1000 stats",
                               cfg),
                  1);
    cr_expect (strstr (err, "no answer from") != NULL, "%s", err);
    free (err);
    char reason[256];
    client_subscriber_t *sub = client_subscriber_new_secure (
        h.publish, h.snapshot, client_cert, server_public, 0, reason);
    cr_assert_not_null (sub, "%s", reason);
    cr_expect_eq (client_subscriber_sync (sub, 1000, NULL, NULL, reason), -1);
    client_subscriber_destroy (&sub);
    s_assert_nothing_stored ();
}

Test (curve, lets_an_allowed_client_import_send_subscribe_and_query)
{
    s_start ();
    char *out = NULL, *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "printf \"%%s\\n\" unit_id,name,group "
                               "U01,单位一,town > u.csv && $HOTLINE units "
                               "import u.csv"),
                  0, "%s", err);
    free (err);

    char reason[256];
    client_subscriber_t *sub = client_subscriber_new_secure (
        h.publish, h.snapshot, s_secret (s_alice), s_server, 0, reason);
    cr_assert_not_null (sub, "%s", reason);
    cr_assert_eq (client_subscriber_sync (sub, 5000, NULL, NULL, reason), 0,
                  "%s", reason);

    s_write ("events.jsonl", s_event);
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send events.jsonl"), 0,
                  "%s", err);
    cr_expect (strstr (err, "1 stored") != NULL, "%s", err);
    free (err);

    s_seen_t seen = {0};
    for (int i = 0; i < 100 && seen.scores == 0; i++)
        cr_assert_geq (
            client_subscriber_poll (sub, 100, s_count_scores, &seen, reason), 0,
            "%s", reason);
    cr_expect_gt (seen.scores, 0, "no score update over CURVE");
    client_subscriber_destroy (&sub);

    cr_assert_eq (harness_run (&h, &out, &err,
                               "$HOTLINE report --ruleset jintai-2025 "
                               "--period 2025-07 --format json"),
                  0, "%s", err);
    cr_expect (strstr (out, "\"U01\"") != NULL, "%s", out);
    free (out);
    free (err);
}

Test (curve, refuses_a_client_whose_certificate_is_not_allowed)
{
    s_start ();
    s_assert_refused ("mallory.cfg", s_secret (s_mallory), s_server);
}

Test (curve, refuses_a_client_without_curve)
{
    s_start ();
    s_assert_refused ("plain.cfg", NULL, NULL);
    char *json = NULL, err[256];
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    cr_expect_eq (client_query (h.query, &q, 500, &json, err), -1);
    free (json);
}

/* A refused certificate fails every handshake at once: the sender must
   back off between its fresh connections, not resend its whole window on
   each (the issue: 5,543 batches in 6 s). 40 batches of 1 line, a window
   of 8, 4 s: with back-off (0.1 s doubling) a few dozen resends. */
Test (curve, a_sender_refused_by_curve_backs_off_between_attempts)
{
    s_start ();
    char path[512];
    FILE *f = fopen (harness_path (&h, "b.jsonl", path), "w");
    cr_assert_not_null (f);
    for (int i = 0; i < 40; i++)
        fprintf (f,
                 "{\"event_id\":\"b%d\",\"type\":\"tick\",\"occurred_at\":"
                 "\"2025-07-01T00:00:00+08:00\"}\n",
                 i);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE --config mallory.cfg --timeout 4000 "
                               "send b.jsonl --batch 1 --window 8"),
                  1, "%s", err);
    unsigned long resent = 0;
    const char *summary = strstr (err, " s, ");
    if (summary)
        sscanf (summary, " s, %lu batches sent again", &resent);
    fprintf (stderr, "curve: %lu batches sent again in 4 s\n", resent);
    cr_expect_leq (resent, 100, "no back-off: %s", err);
    free (err);
    s_assert_nothing_stored ();
}

Test (curve, admits_a_client_added_to_the_directory_while_running)
{
    s_start ();
    char allow[600];
    snprintf (allow, sizeof (allow), "%s/mallory", s_clients);
    zcert_t *cert = zcert_load (s_mallory);
    cr_assert_not_null (cert);
    cr_assert_eq (zcert_save_public (cert, allow), 0);
    zcert_destroy (&cert);
    char *out = NULL, *err = NULL;
    cr_expect_eq (
        harness_run (&h, &out, &err, "$HOTLINE --config mallory.cfg stats"), 0,
        "%s", err);
    free (out);
    free (err);
}

Test (curve, daemon_refuses_to_start_on_a_broken_curve_configuration)
{
    char extra[2048];
    snprintf (extra, sizeof (extra),
              "    data = \"%s/bad-data\"\n"
              "    curve_secret = \"%s/missing_secret\"\n"
              "    curve_clients = \"%s\"\n",
              h.dir, h.dir, s_clients);
    s_write_config ("missing.cfg", extra);
    char *err = NULL;
    cr_assert_eq (
        harness_run (&h, NULL, &err, "$HOTLINED --config missing.cfg"), 2);
    cr_expect (strstr (err, "missing_secret: cannot read") != NULL, "%s", err);
    free (err);

    snprintf (extra, sizeof (extra),
              "    data = \"%s/bad-data\"\n"
              "    curve_secret = \"%s\"\n",
              h.dir, s_secret (s_server));
    s_write_config ("half.cfg", extra);
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINED --config half.cfg"),
                  2);
    cr_expect (strstr (err, "must be set together") != NULL, "%s", err);
    free (err);
}

Test (curve, security_new_refuses_a_missing_file_with_a_message)
{
    char err[256] = "", missing[512];
    harness_path (&h, "nowhere", missing);
    cr_assert_null (security_new (missing, s_clients, err));
    cr_expect (strstr (err, missing) != NULL && strstr (err, "cannot read"),
               "%s", err);
}

Test (curve, security_new_refuses_what_is_not_a_server_certificate)
{
    char err[256] = "", path[512];
    s_write ("notes.txt", "hello\n");
    cr_assert_null (
        security_new (harness_path (&h, "notes.txt", path), s_clients, err));
    cr_expect (strstr (err, "not a CURVE certificate") != NULL, "%s", err);

    /* The public half alone: clients' copy, not the server's key. */
    char allow[600];
    snprintf (allow, sizeof (allow), "%s/alice", s_clients);
    cr_assert_null (security_new (allow, s_clients, err));
    cr_expect (strstr (err, "without the secret key") != NULL, "%s", err);

    cr_assert_null (security_new (s_secret (s_server),
                                  harness_path (&h, "nope", path), err));
    cr_expect (strstr (err, "cannot open directory") != NULL, "%s", err);

    cr_assert_null (security_new (s_secret (s_server), "", err));
    cr_expect (strstr (err, "must be set together") != NULL, "%s", err);
}

Test (curve, security_new_takes_the_secret_file_or_its_name)
{
    char err[256];
    security_t *security = security_new (s_secret (s_server), s_clients, err);
    cr_assert_not_null (security, "%s", err);
    security_destroy (&security);
    cr_expect_null (security);
    security_destroy (&security);
    security = security_new (s_server, s_clients, err);
    cr_assert_not_null (security, "%s", err);
    security_destroy (&security);
}

Test (curve, client_secure_refuses_a_missing_or_half_configuration)
{
    char err[256] = "", missing[512];
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    cr_assert_not_null (sock);
    cr_expect_eq (client_secure (sock, NULL, "", err), 0, "plain when unset");
    cr_expect_eq (client_secure (sock, s_secret (s_alice), NULL, err), -1);
    cr_expect (strstr (err, "must be set together") != NULL, "%s", err);
    harness_path (&h, "nowhere", missing);
    cr_expect_eq (client_secure (sock, missing, s_server, err), -1);
    cr_expect (strstr (err, "curve_client") && strstr (err, "cannot read"),
               "%s", err);
    cr_expect_eq (client_secure (sock, s_alice, missing, err), -1);
    cr_expect (strstr (err, "curve_server_public") != NULL, "%s", err);
    /* A public certificate cannot prove who the client is. */
    char allow[600];
    snprintf (allow, sizeof (allow), "%s/alice", s_clients);
    cr_expect_eq (client_secure (sock, allow, s_server, err), -1);
    cr_expect (strstr (err, "without the secret key") != NULL, "%s", err);
    zsock_destroy (&sock);
}
