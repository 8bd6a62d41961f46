/*  config: defaults, then the file's values. */
#include "config.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_default =
    "#   hotline: the embedded default configuration\n"
    "hotline\n"
    "    data = hotline-data\n"
    "    clock = wall\n"
    "    ingest = tcp://127.0.0.1:5570\n"
    "    publish = tcp://127.0.0.1:5571\n"
    "    query = tcp://127.0.0.1:5572\n"
    "    snapshot = tcp://127.0.0.1:5573\n"
    "    publish_hwm = 10000\n"
    "    heartbeat_ms = 1000\n"
    "    warning_share = 0.8\n"
    "    rulesets = \"\"\n"
    "    map_size_mb = 4096\n"
    "    batch_max = 4096\n"
    "    curve_secret = \"\"\n"
    "    curve_clients = \"\"\n"
    "    curve_client = \"\"\n"
    "    curve_server_public = \"\"\n";

const char *
config_default_text (void)
{
    return s_default;
}

static int
s_copy (char *dest, size_t size, zconfig_t *root, const char *path, char *err)
{
    const char *value = zconfig_get (root, path, NULL);
    if (!value)
        return 0;
    if ((size_t)snprintf (dest, size, "%s", value) >= size) {
        snprintf (err, 256, "%s is too long", path);
        return -1;
    }
    return 0;
}

static int
s_apply (config_t *config, zconfig_t *root, char *err)
{
    if (s_copy (config->data, sizeof (config->data), root, "hotline/data",
                err) ||
        s_copy (config->clock, sizeof (config->clock), root, "hotline/clock",
                err) ||
        s_copy (config->ingest, sizeof (config->ingest), root, "hotline/ingest",
                err) ||
        s_copy (config->publish, sizeof (config->publish), root,
                "hotline/publish", err) ||
        s_copy (config->query, sizeof (config->query), root, "hotline/query",
                err) ||
        s_copy (config->snapshot, sizeof (config->snapshot), root,
                "hotline/snapshot", err) ||
        s_copy (config->rulesets, sizeof (config->rulesets), root,
                "hotline/rulesets", err) ||
        s_copy (config->curve_secret, sizeof (config->curve_secret), root,
                "hotline/curve_secret", err) ||
        s_copy (config->curve_clients, sizeof (config->curve_clients), root,
                "hotline/curve_clients", err) ||
        s_copy (config->curve_client, sizeof (config->curve_client), root,
                "hotline/curve_client", err) ||
        s_copy (config->curve_server_public,
                sizeof (config->curve_server_public), root,
                "hotline/curve_server_public", err))
        return -1;
    const char *map = zconfig_get (root, "hotline/map_size_mb", NULL);
    if (map)
        config->map_size_mb = strtoul (map, NULL, 10);
    const char *batch = zconfig_get (root, "hotline/batch_max", NULL);
    if (batch)
        config->batch_max = strtoul (batch, NULL, 10);
    const char *hwm = zconfig_get (root, "hotline/publish_hwm", NULL);
    if (hwm)
        config->publish_hwm = atoi (hwm);
    const char *heartbeat = zconfig_get (root, "hotline/heartbeat_ms", NULL);
    if (heartbeat)
        config->heartbeat_ms = atoi (heartbeat);
    const char *share = zconfig_get (root, "hotline/warning_share", NULL);
    if (share)
        config->warning_share = atof (share);
    if (config->publish_hwm < 1 || config->heartbeat_ms < 10 ||
        !(config->warning_share > 0 && config->warning_share <= 1)) {
        snprintf (err, 256,
                  "publish_hwm must be >= 1, heartbeat_ms >= 10, "
                  "warning_share in (0, 1]");
        return -1;
    }
    if (strcmp (config->clock, "wall") != 0 &&
        strcmp (config->clock, "event") != 0) {
        snprintf (err, 256, "clock must be wall or event, not \"%s\"",
                  config->clock);
        return -1;
    }
    if (config->map_size_mb < 1 || config->batch_max < 1) {
        snprintf (err, 256, "map_size_mb and batch_max must be positive");
        return -1;
    }
    return 0;
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
    return rc;
}
