/*  client_secure: see client_secure.h. */
#include "client_secure.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
client_secure_wanted (const char *client_cert, const char *server_public)
{
    return (client_cert && *client_cert) || (server_public && *server_public);
}

/* Loads a certificate after checking a file is there to read, so that a
   typo in a path says so rather than "not a certificate". */
static zcert_t *
s_load (const char *key, const char *path, char *err)
{
    char secret[1100];
    snprintf (secret, sizeof (secret), "%s_secret", path);
    if (access (path, R_OK) != 0) {
        int why = errno;
        if (access (secret, R_OK) != 0) {
            snprintf (err, 256, "%s %s: cannot read: %s", key, path,
                      strerror (why));
            return NULL;
        }
    }
    zcert_t *cert = zcert_load (path);
    if (!cert)
        snprintf (err, 256,
                  "%s %s: not a CURVE certificate (make one with hotline "
                  "keygen)",
                  key, path);
    return cert;
}

int
client_secure (zsock_t *sock, const char *client_cert,
               const char *server_public, char *err)
{
    if (!client_secure_wanted (client_cert, server_public))
        return 0;
    if (!client_cert || !*client_cert || !server_public || !*server_public) {
        snprintf (err, 256,
                  "curve_client and curve_server_public must be set together");
        return -1;
    }
    if (!zsys_has_curve ()) {
        snprintf (err, 256, "this libzmq was built without CURVE support");
        return -1;
    }
    zcert_t *client = s_load ("curve_client", client_cert, err);
    zcert_t *server =
        client ? s_load ("curve_server_public", server_public, err) : NULL;
    int rc = -1;
    /* A public certificate loads with a secret key of zeros; the
       handshake would fail later with no reason given. */
    static const byte zeros[32] = {0};
    if (client && server &&
        memcmp (zcert_secret_key (client), zeros, sizeof (zeros)) == 0)
        snprintf (err, 256,
                  "curve_client %s: a public certificate, without the "
                  "secret key (use the NAME_secret file)",
                  client_cert);
    else if (client && server) {
        zcert_apply (client, sock);
        zsock_set_curve_serverkey (sock, zcert_public_txt (server));
        rc = 0;
    }
    zcert_destroy (&client);
    zcert_destroy (&server);
    return rc;
}
