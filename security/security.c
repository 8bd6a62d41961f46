/*  security: see security.h. */
#include "security.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every secured socket names this domain in its ZAP requests, so the
   daemon's log lines from zauth are recognisable. */
#define SECURITY_ZAP_DOMAIN "hotline"

struct _security_t {
    zcert_t *cert;      /* the server's certificate, with its secret key */
    char clients[1024]; /* directory of allowed client public certs */
    zactor_t *auth;     /* the zauth actor, once started */
};

security_t *
security_new (const char *server_cert, const char *clients_dir, char *err)
{
    if (!server_cert || !*server_cert || !clients_dir || !*clients_dir) {
        snprintf (err, 256,
                  "curve_secret and curve_clients must be set together");
        return NULL;
    }
    if (!zsys_has_curve ()) {
        snprintf (err, 256, "this libzmq was built without CURVE support");
        return NULL;
    }
    /* zcert_load reads NAME_secret when it exists, else NAME; check that
       one of them is readable so the message names the real problem. */
    char secret[1100];
    snprintf (secret, sizeof (secret), "%s_secret", server_cert);
    if (access (server_cert, R_OK) != 0) {
        int why = errno;
        if (access (secret, R_OK) != 0) {
            snprintf (err, 256, "curve_secret %s: cannot read: %s", server_cert,
                      strerror (why));
            return NULL;
        }
    }
    DIR *dir = opendir (clients_dir);
    if (!dir) {
        snprintf (err, 256, "curve_clients %s: cannot open directory: %s",
                  clients_dir, strerror (errno));
        return NULL;
    }
    closedir (dir);
    security_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    if ((size_t)snprintf (self->clients, sizeof (self->clients), "%s",
                          clients_dir) >= sizeof (self->clients)) {
        snprintf (err, 256, "curve_clients is too long");
        security_destroy (&self);
        return NULL;
    }
    self->cert = zcert_load (server_cert);
    if (!self->cert) {
        snprintf (err, 256,
                  "curve_secret %s: not a CURVE certificate (make one with "
                  "hotline keygen)",
                  server_cert);
        security_destroy (&self);
        return NULL;
    }
    /* A public certificate loads too, with a secret key of zeros: as a
       server key it would encrypt nothing anyone could trust. */
    static const byte zeros[32] = {0};
    if (memcmp (zcert_secret_key (self->cert), zeros, sizeof (zeros)) == 0) {
        snprintf (err, 256,
                  "curve_secret %s: a public certificate, without the "
                  "secret key (use the NAME_secret file)",
                  server_cert);
        security_destroy (&self);
        return NULL;
    }
    return self;
}

void
security_destroy (security_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    security_t *self = *self_p;
    zactor_destroy (&self->auth);
    zcert_destroy (&self->cert);
    free (self);
    *self_p = NULL;
}

int
security_start (security_t *self)
{
    if (self->auth)
        return 0;
    self->auth = zactor_new (zauth, NULL);
    if (!self->auth)
        return -1;
    /* zauth answers each command with a signal once it is in force. */
    if (zstr_sendx (self->auth, "CURVE", self->clients, NULL) != 0 ||
        zsock_wait (self->auth) != 0) {
        zactor_destroy (&self->auth);
        return -1;
    }
    return 0;
}

void
security_apply_server (security_t *self, zsock_t *sock)
{
    if (!self || !sock)
        return;
    zcert_apply (self->cert, sock);
    zsock_set_curve_server (sock, 1);
    zsock_set_zap_domain (sock, SECURITY_ZAP_DOMAIN);
}

const char *
security_public_txt (const security_t *self)
{
    return zcert_public_txt (self->cert);
}
