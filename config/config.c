/*  config: defaults, then the file's values (config.h). */
#include "config.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_default =
    "#   hotline: the embedded default configuration (docs/commands.md)\n"
    "hotline\n"
    "    data = hotline-data                 # LMDB data directory\n"
    "    clock = wall                        # wall, or event (replays)\n"
    "    ingest = tcp://127.0.0.1:5570       # events in\n"
    "    publish = tcp://127.0.0.1:5571      # live updates out\n"
    "    query = tcp://127.0.0.1:5572        # reports, units, stats\n"
    "    snapshot = tcp://127.0.0.1:5573     # live state for late joiners\n"
    "    publish_hwm = 10000                 # messages queued per "
    "subscriber\n"
    "    heartbeat_ms = 1000                 # publisher heartbeat period\n"
    "    warning_share = 0.8                 # warn at this share of the "
    "limit\n"
    "    calendar = cn                       # working calendar: cn, or "
    "none\n"
    "    working_hours = \"08:30-12:00 14:00-18:00\" # of a working day\n"
    "    windows = \"sign 1wh contact 2wh return 2wh\" # wh: working "
    "hours, h: wall\n"
    "    rulesets = \"\"                       # extra *.zpl directory\n"
    "    map_size_mb = 4096                  # LMDB map size at start\n"
    "    map_max_mb = 65536                  # the map grows up to this\n"
    "    dead_letters_max = 10000            # refused events kept\n"
    "    batch_max = 4096                    # events per commit at most\n"
    "    curve_secret = \"\"                   # daemon: its secret "
    "certificate\n"
    "    curve_clients = \"\"                  # daemon: allowed clients' "
    "certificates\n"
    "    curve_client = \"\"                   # client: its secret "
    "certificate\n"
    "    curve_server_public = \"\"            # client: the daemon's "
    "certificate\n"
    "    insecure = no                       # yes: listen beyond loopback "
    "without CURVE\n"
    "    http = 127.0.0.1:8080               # dashboard, HTTP API, metrics; "
    "off\n"
    "    http_tokens = \"\"                    # file of \"TOKEN ROLE\" "
    "lines\n"
    "    http_cert = \"\"                      # TLS certificate (PEM)\n"
    "    http_key = \"\"                       # TLS private key (PEM)\n"
    "    http_body_max = 16777216            # POST body bytes at most\n"
    "    live_linger_s = 60                  # keep the live feed after the "
    "last browser\n"
    "    slow_group_ms = 1000                # log a group slower to store; "
    "0: never\n"
    "    asof_spacing = 8192                 # events between as-of "
    "checkpoints\n"
    "    asof_checkpoints = 64               # as-of checkpoints kept at "
    "most\n"
    "    asof_budget_mb = 2048               # and their disk (in $TMPDIR) "
    "at most\n"
    "    unsafe_no_sync = no                 # yes: commits not synced (for "
    "measuring only: a machine crash loses acknowledged events)\n";

const char *
config_default_text (void)
{
    return s_default;
}

typedef enum { T_TEXT, T_SIZE, T_INT, T_SHARE, T_BOOL } s_type_t;

/* One setting: its key, how it is read and where it goes. */
typedef struct {
    const char *key; /* under "hotline/" */
    s_type_t type;   /* how the value is read */
    size_t offset;   /* into config_t */
    size_t size;     /* T_TEXT: the buffer's size */
} s_key_t;

#define TEXT(name)                                                             \
    {                                                                          \
#name, T_TEXT, offsetof(config_t, name), sizeof(((config_t *)0)->name) \
    }
#define VALUE(name, type)                                                      \
    {                                                                          \
#name, type, offsetof(config_t, name), 0                               \
    }

static const s_key_t s_keys[] = {TEXT (data),
                                 TEXT (clock),
                                 TEXT (ingest),
                                 TEXT (publish),
                                 TEXT (query),
                                 TEXT (snapshot),
                                 TEXT (rulesets),
                                 VALUE (map_size_mb, T_SIZE),
                                 VALUE (map_max_mb, T_SIZE),
                                 VALUE (dead_letters_max, T_SIZE),
                                 VALUE (batch_max, T_SIZE),
                                 VALUE (publish_hwm, T_INT),
                                 VALUE (heartbeat_ms, T_INT),
                                 VALUE (warning_share, T_SHARE),
                                 TEXT (calendar),
                                 TEXT (working_hours),
                                 TEXT (windows),
                                 TEXT (curve_secret),
                                 TEXT (curve_clients),
                                 TEXT (curve_client),
                                 TEXT (curve_server_public),
                                 VALUE (insecure, T_BOOL),
                                 TEXT (http),
                                 TEXT (http_tokens),
                                 TEXT (http_cert),
                                 TEXT (http_key),
                                 VALUE (http_body_max, T_SIZE),
                                 VALUE (live_linger_s, T_INT),
                                 VALUE (slow_group_ms, T_INT),
                                 VALUE (asof_spacing, T_SIZE),
                                 VALUE (asof_checkpoints, T_SIZE),
                                 VALUE (asof_budget_mb, T_SIZE),
                                 VALUE (unsafe_no_sync, T_BOOL)};
#define KEY_COUNT (sizeof (s_keys) / sizeof (s_keys[0]))

/* Stores one value. Returns 0, or -1 with a reason. */
static int
s_set (config_t *config, const s_key_t *key, const char *value, char *err)
{
    char *at = (char *)config + key->offset, *end = NULL;
    errno = 0;
    switch (key->type) {
    case T_TEXT:
        if ((size_t)snprintf (at, key->size, "%s", value) < key->size)
            return 0;
        snprintf (err, 256, "%s is too long", key->key);
        return -1;
    case T_SIZE: {
        unsigned long long n = strtoull (value, &end, 10);
        *(size_t *)(void *)at = (size_t)n;
        break;
    }
    case T_INT: {
        long n = strtol (value, &end, 10);
        if (n < -2147483647 || n > 2147483647)
            errno = ERANGE;
        *(int *)(void *)at = (int)n;
        break;
    }
    case T_SHARE:
        *(double *)(void *)at = strtod (value, &end);
        break;
    case T_BOOL:
        if (strcmp (value, "yes") && strcmp (value, "no")) {
            snprintf (err, 256, "%s must be yes or no, not \"%s\"", key->key,
                      value);
            return -1;
        }
        *(bool *)(void *)at = strcmp (value, "yes") == 0;
        return 0;
    }
    if (errno || end == value || *end) {
        snprintf (err, 256, "%s must be a number, not \"%s\"", key->key, value);
        return -1;
    }
    return 0;
}

/* Whether libzmq can bind `host` (the part of tcp://HOST:PORT before the
   port): *, an IPv4 address, a bracketed IPv6 one, or the name of a
   network interface. A host name is not: libzmq's bind fails with "No
   such device", which names neither the key nor the fix. */
static bool
s_bindable_host (const char *host, size_t size)
{
    char name[IF_NAMESIZE + 64];
    if (size == 0 || size >= sizeof (name))
        return false;
    memcpy (name, host, size);
    name[size] = 0;
    struct in_addr v4;
    return strcmp (name, "*") == 0 ||
           (name[0] == '[' && name[size - 1] == ']') ||
           inet_pton (AF_INET, name, &v4) == 1 || if_nametoindex (name) != 0;
}

/* A ZeroMQ endpoint hotlined binds: ipc://PATH, inproc://NAME, or
   tcp://HOST:PORT with PORT 0 to 65535 (0 or * for any) and a HOST it
   can bind (s_bindable_host). Returns 0, or -1 after a message naming
   the key. */
static int
s_check_endpoint (const char *key, const char *endpoint, char *err)
{
    if ((strncmp (endpoint, "ipc://", 6) == 0 && endpoint[6]) ||
        (strncmp (endpoint, "inproc://", 9) == 0 && endpoint[9]))
        return 0;
    const char *colon = strrchr (endpoint, ':');
    if (strncmp (endpoint, "tcp://", 6) == 0 && colon > endpoint + 6 &&
        !s_bindable_host (endpoint + 6, (size_t)(colon - endpoint - 6))) {
        snprintf (err, 256,
                  "%s: \"%s\": hotlined binds an address or a network "
                  "interface, not a host name: use tcp://127.0.0.1:PORT "
                  "(this machine), tcp://*:PORT (every interface) or "
                  "tcp://IFACE:PORT",
                  key, endpoint);
        return -1;
    }
    if (strncmp (endpoint, "tcp://", 6) == 0 && colon > endpoint + 6) {
        if (strcmp (colon + 1, "*") == 0)
            return 0;
        char *end;
        errno = 0;
        long port = strtol (colon + 1, &end, 10);
        if (!errno && end != colon + 1 && !*end && port >= 0 && port <= 65535)
            return 0;
    }
    snprintf (err, 256,
              "%s: \"%s\" is not an endpoint: use tcp://HOST:PORT (port 0 "
              "to 65535) or ipc://PATH",
              key, endpoint);
    return -1;
}

static int
s_check (const config_t *config, char *err)
{
    const char *keys[] = {"ingest", "publish", "query", "snapshot"};
    const char *endpoints[] = {config->ingest, config->publish, config->query,
                               config->snapshot};
    for (int i = 0; i < 4; i++)
        if (s_check_endpoint (keys[i], endpoints[i], err) != 0)
            return -1;
    if (config->publish_hwm < 1 || config->heartbeat_ms < 10 ||
        config->live_linger_s < 0 || config->slow_group_ms < 0 ||
        !(config->warning_share > 0 && config->warning_share <= 1)) {
        snprintf (err, 256,
                  "publish_hwm must be >= 1, heartbeat_ms >= 10, "
                  "live_linger_s >= 0, slow_group_ms >= 0, warning_share in "
                  "(0, 1]");
        return -1;
    }
    if (strcmp (config->clock, "wall") != 0 &&
        strcmp (config->clock, "event") != 0) {
        snprintf (err, 256, "clock must be wall or event, not \"%s\"",
                  config->clock);
        return -1;
    }
    if (config->map_size_mb < 1 || config->map_max_mb < 1 ||
        config->batch_max < 1 || config->dead_letters_max < 1 ||
        config->http_body_max < 1 || config->asof_spacing < 1 ||
        config->asof_budget_mb < 1 || config->asof_budget_mb > (1u << 24)) {
        snprintf (err, 256,
                  "map_size_mb, map_max_mb, batch_max, dead_letters_max, "
                  "http_body_max, asof_spacing and asof_budget_mb must be "
                  "positive (asof_budget_mb at most 16777216)");
        return -1;
    }
    /* Each checkpoint is an LMDB environment of its own: two files
       open, so a bound well below the usual 1,024 descriptors. */
    if (config->asof_checkpoints < 2 || config->asof_checkpoints > 128) {
        snprintf (err, 256, "asof_checkpoints must be from 2 to 128");
        return -1;
    }
    if (!!*config->http_cert != !!*config->http_key) {
        snprintf (err, 256, "http_cert and http_key go together: set both");
        return -1;
    }
    return 0;
}

/* Applies every key of the "hotline" section; refuses unknown ones. */
static int
s_apply (config_t *config, zconfig_t *root, char *err)
{
    zconfig_t *section = zconfig_locate (root, "hotline");
    for (zconfig_t *item = section ? zconfig_child (section) : NULL; item;
         item = zconfig_next (item)) {
        const char *name = zconfig_name (item);
        const s_key_t *key = NULL;
        for (size_t k = 0; k < KEY_COUNT && !key; k++)
            if (strcmp (s_keys[k].key, name) == 0)
                key = &s_keys[k];
        if (!key) {
            snprintf (err, 256,
                      "unknown setting \"%s\" (hotlined --print-config lists "
                      "them)",
                      name);
            return -1;
        }
        if (s_set (config, key, zconfig_value (item), err) != 0)
            return -1;
    }
    return s_check (config, err);
}

int
config_load (config_t *config, const char *path, char *err)
{
    memset (config, 0, sizeof (*config));
    zconfig_t *root = zconfig_str_load (s_default);
    int rc = root ? s_apply (config, root, err) : -1;
    zconfig_destroy (&root);
    if (rc != 0)
        return -1;
    if (!path)
        path = getenv ("HOTLINE_CONFIG");
    if (!path || !*path)
        return 0;
    root = zconfig_load (path);
    if (!root) {
        snprintf (err, 256, "%s: cannot read or parse the configuration", path);
        return -1;
    }
    rc = s_apply (config, root, err);
    zconfig_destroy (&root);
    if (rc != 0) {
        char why[256];
        snprintf (why, sizeof (why), "%s", err);
        snprintf (err, 256, "%s: %s", path, why);
    }
    return rc;
}

bool
config_endpoint_local (const char *endpoint)
{
    if (strncmp (endpoint, "inproc://", 9) == 0 ||
        strncmp (endpoint, "ipc://", 6) == 0)
        return true;
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *host = endpoint + 6;
    /* An interface name or address before the port; a "source;" part of
       a connect endpoint does not apply to binds. */
    return strncmp (host, "127.", 4) == 0 ||
           strncmp (host, "localhost:", 10) == 0 ||
           strncmp (host, "[::1]:", 6) == 0 || strncmp (host, "lo:", 3) == 0;
}

bool
config_http_local (const char *http)
{
    return strcmp (http, "off") == 0 || strncmp (http, "127.", 4) == 0 ||
           strncmp (http, "localhost:", 10) == 0 ||
           strncmp (http, "[::1]:", 6) == 0;
}
