/*  config: the settings file (config/config.h, docs/commands.md). Each
    refusal is a clear message naming the key; hotlined refuses to listen
    beyond loopback without CURVE unless told insecure = yes. */
#include "config.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (config, .init = s_setup, .fini = s_teardown, .timeout = 60);

/* Loads a "hotline" section holding `body`; returns config_load's code
   with the reason in err. */
static int
s_load (const char *body, config_t *config, char *err)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, "t.cfg", path), "w");
    cr_assert_not_null (f);
    fprintf (f, "hotline\n%s", body);
    fclose (f);
    return config_load (config, path, err);
}

static void
s_refused (const char *body, const char *reason)
{
    config_t config;
    char err[256] = "";
    cr_expect_eq (s_load (body, &config, err), -1, "accepted: %s", body);
    cr_expect (strstr (err, reason) != NULL, "%s: %s (expected %s)", body, err,
               reason);
}

Test (config, the_embedded_default_needs_no_file)
{
    config_t config;
    char err[256];
    cr_assert_eq (config_load (&config, NULL, err), 0, "%s", err);
    cr_expect_str_eq (config.ingest, "tcp://127.0.0.1:5570");
    cr_expect_str_eq (config.clock, "wall");
}

Test (config, a_file_overrides_the_keys_it_names)
{
    config_t config;
    char err[256];
    cr_assert_eq (s_load ("    ingest = ipc:///tmp/x.ipc\n"
                          "    clock = event\n",
                          &config, err),
                  0, "%s", err);
    cr_expect_str_eq (config.ingest, "ipc:///tmp/x.ipc");
    cr_expect_str_eq (config.clock, "event");
    cr_expect_str_eq (config.query, "tcp://127.0.0.1:5572");
}

Test (config, refuses_what_it_cannot_use_naming_the_key)
{
    s_refused ("    ingset = tcp://127.0.0.1:5570\n",
               "unknown setting \"ingset\"");
    s_refused ("    clock = moon\n", "clock must be wall or event");
    s_refused ("    publish_hwm = lots\n", "publish_hwm must be a number");
    s_refused ("    publish_hwm = 0\n", "publish_hwm must be >= 1");
    s_refused ("    insecure = maybe\n", "insecure must be yes or no");
    s_refused ("    asof_spacing = 0\n", "asof_spacing and asof_budget_mb");
    s_refused ("    asof_budget_mb = 0\n", "asof_budget_mb must be positive");
    s_refused ("    asof_budget_mb = 16777217\n", "at most 16777216");
    s_refused ("    asof_checkpoints = 1\n",
               "asof_checkpoints must be from 2 to 128");
    s_refused ("    asof_checkpoints = 129\n",
               "asof_checkpoints must be from 2 to 128");
    s_refused ("    ingest = tcp://127.0.0.1:557286\n",
               "ingest: \"tcp://127.0.0.1:557286\" is not an endpoint");
    s_refused ("    query = localhost\n", "query: \"localhost\" is not an");
    /* libzmq cannot bind a host name ("No such device" at start). */
    s_refused ("    ingest = tcp://localhost:5570\n",
               "ingest: \"tcp://localhost:5570\": hotlined binds an address "
               "or a network interface, not a host name");
    s_refused ("    snapshot = ipc://\n", "snapshot: \"ipc://\" is not an");
    s_refused ("    publish = tcp://127.0.0.1\n", "publish: ");
}

Test (config, accepts_any_port_binds_and_ipc)
{
    config_t config;
    char err[256];
    cr_expect_eq (s_load ("    ingest = tcp://lo:5570\n", &config, err), 0,
                  "%s", err);
    cr_expect_eq (s_load ("    ingest = tcp://*:5570\n"
                          "    publish = tcp://[::1]:65535\n"
                          "    query = ipc://q.ipc\n"
                          "    snapshot = inproc://s\n",
                          &config, err),
                  0, "%s", err);
}

/* The daemon: beyond loopback without CURVE is refused (exit 2, saying
   what to do); insecure = yes runs it open on purpose. */
Test (config, hotlined_refuses_an_open_ingest_unless_insecure)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, "open.cfg", path), "w");
    cr_assert_not_null (f);
    fprintf (f,
             "hotline\n    ingest = tcp://0.0.0.0:0\n    publish = "
             "ipc://%s/p.ipc\n    query = ipc://%s/q.ipc\n    snapshot = "
             "ipc://%s/s.ipc\n    http = off\n    data = %s/open-data\n",
             h.dir, h.dir, h.dir, h.dir);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINED --config open.cfg"),
                  2);
    cr_expect (strstr (err, "reachable from other machines") &&
                   strstr (err, "insecure = yes"),
               "%s", err);
    free (err);
    /* With insecure = yes it starts: stopped by a timeout of one second,
       it must have got past the check (timeout's exit status is 124). */
    f = fopen (path, "a");
    fputs ("    insecure = yes\n", f);
    fclose (f);
    cr_expect_eq (harness_run (&h, NULL, &err,
                               "timeout -s TERM 1 $HOTLINED --config open.cfg"),
                  124, "%s", err);
    free (err);
}
