/*  config: hotline's settings, shared by hotlined and hotline.

    A ZPL file (czmq zconfig) under a "hotline" section; every key is
    optional and falls back to the embedded default below, so no file is
    needed to run everything on one machine:

    hotline
        data = hotline-data                 # LMDB directory
        clock = wall                        # wall | event
        ingest = tcp://127.0.0.1:5570       # events in (ROUTER)
        publish = tcp://127.0.0.1:5571      # live updates out (PUB)
        query = tcp://127.0.0.1:5572        # reports, units, stats
        snapshot = tcp://127.0.0.1:5573     # live state for late joiners
        publish_hwm = 10000                 # messages queued per subscriber
        heartbeat_ms = 1000                 # publisher heartbeat period
        warning_share = 0.8                 # warn at this share of the limit
        rulesets =                          # extra *.zpl directory
        map_size_mb = 4096                  # LMDB map size
        batch_max = 4096                    # events per commit at most
        curve_secret =                      # server cert with secret key
        curve_clients =                     # allowed clients' public certs
        curve_client =                      # a client's cert (secret key)
        curve_server_public =               # the server's public cert

    CURVE (daemon/security.h, README "Access control") is on in hotlined
    when curve_secret and curve_clients are set, and in hotline when
    curve_client and curve_server_public are; all empty by default.
*/
#ifndef CONFIG_H_INCLUDED
#define CONFIG_H_INCLUDED

#include <stddef.h>

typedef struct {
    char data[1024];          /* data directory */
    char clock[16];           /* "wall" or "event" */
    char ingest[256];         /* ingest endpoint */
    char publish[256];        /* publisher endpoint */
    char query[256];          /* query endpoint */
    char snapshot[256];       /* snapshot endpoint */
    char rulesets[1024];      /* extra ruleset directory, or "" */
    size_t map_size_mb;       /* LMDB map size in MiB */
    size_t batch_max;         /* events per write transaction at most */
    int publish_hwm;          /* PUB send high-water mark */
    int heartbeat_ms;         /* publisher heartbeat period */
    double warning_share;     /* warn when this share of the limit passed */
    char curve_secret[1024];  /* server certificate file, or "" */
    char curve_clients[1024]; /* allowed client certificates, or "" */
    char curve_client[1024];  /* client certificate file, or "" */
    char curve_server_public[1024]; /* server public certificate, or "" */
} config_t;

/* Loads `path` (NULL: $HOTLINE_CONFIG if set, else the embedded default)
   over the defaults. Returns 0, or -1 with a reason in err (256 bytes). */
int config_load (config_t *config, const char *path, char *err);

/* The embedded default configuration text. */
const char *config_default_text (void);

#endif
