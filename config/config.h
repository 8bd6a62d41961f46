/*  config: hotline's settings, shared by hotlined and hotline.

    A ZPL file (czmq zconfig) under a "hotline" section; every key is
    optional and falls back to the embedded default (hotlined
    --print-config prints it, with a comment per key), so no file is
    needed to run everything on one machine. A key the program does not
    know is refused, naming it: a misspelt setting never passes silently.

    CURVE (security.h, README "Access control") is on in hotlined when
    curve_secret and curve_clients are set, and in hotline when
    curve_client and curve_server_public are; all empty by default.
    hotlined refuses to listen on anything but loopback without CURVE
    unless insecure = yes.

    Working time (docs/calendar.md): calendar, working_hours and windows
    are checked and recorded in the store by hotlined at start
    (state_calendar_configure), which refuses bad ones.

    HTTP (docs/web.md) is served on `http` (HOST:PORT, or off); hotlined
    refuses a non-loopback `http` without `http_tokens`.

    To add a setting: a field here, a line in config.c's table and in the
    default text, a line in docs/commands.md.
*/
#ifndef CONFIG_H_INCLUDED
#define CONFIG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char data[1024];                /* data directory */
    char clock[16];                 /* "wall" or "event" */
    char ingest[256];               /* ingest endpoint */
    char publish[256];              /* publisher endpoint */
    char query[256];                /* query endpoint */
    char snapshot[256];             /* snapshot endpoint */
    char rulesets[1024];            /* extra ruleset directory, or "" */
    size_t map_size_mb;             /* LMDB map size in MiB at start */
    size_t map_max_mb;              /* the map grows by itself up to this */
    size_t dead_letters_max;        /* dead letters kept, the oldest go */
    size_t batch_max;               /* events per write transaction at most */
    int publish_hwm;                /* PUB send high-water mark */
    int heartbeat_ms;               /* publisher heartbeat period */
    double warning_share;           /* warn when this share of the limit
                                       passed */
    char calendar[16];              /* working calendar: "cn" or "none" */
    char working_hours[256];        /* "08:30-12:00 14:00-18:00" */
    char windows[256];              /* "sign 1wh contact 2wh return 2wh" */
    char curve_secret[1024];        /* server certificate file, or "" */
    char curve_clients[1024];       /* allowed client certificates, or "" */
    char curve_client[1024];        /* client certificate file, or "" */
    char curve_server_public[1024]; /* server public certificate, or "" */
    bool insecure;                  /* listen beyond loopback without CURVE */
    char http[256];                 /* HTTP address "HOST:PORT", or "off" */
    char http_tokens[1024];         /* "TOKEN ROLE" lines file, or "" */
    char http_cert[1024];           /* TLS certificate (PEM), or "" */
    char http_key[1024];            /* TLS private key (PEM), or "" */
    size_t http_body_max;           /* POST body bytes at most */
    int live_linger_s;              /* the web keeps the live feed this
                                       long after its last browser left */
    int slow_group_ms;              /* a group that takes longer to store
                                       is logged (0: never) */
    size_t asof_spacing;            /* events between as-of checkpoints */
    size_t asof_checkpoints;        /* as-of checkpoints kept at most */
    size_t asof_budget_mb;          /* and their disk in MiB at most */
    bool unsafe_no_sync;            /* commits not synced: measuring only */
} config_t;

/* Loads `path` (NULL: $HOTLINE_CONFIG if set, else the embedded default)
   over the defaults. Returns 0, or -1 with a reason in err (256 bytes). */
int config_load (config_t *config, const char *path, char *err);

/* The embedded default configuration text. */
const char *config_default_text (void);

/* True when a ZeroMQ endpoint can only be reached from this machine:
   inproc:// and ipc://, or tcp:// on 127.0.0.0/8, ::1 or localhost. */
bool config_endpoint_local (const char *endpoint);

/* True when an `http` setting can only be reached from this machine:
   "off", or a host of 127.0.0.0/8, [::1] or localhost. */
bool config_http_local (const char *http);

#endif
