/*  security: optional CURVE encryption and authentication of the daemon's
    endpoints (the zguide's Ironhouse pattern, with czmq's zauth and zcert).

    Off by default. Two configuration keys turn it on together:
      curve_secret   the server's certificate with its secret key, as
                     written by zcert_save (NAME_secret; NAME also works:
                     zcert_load reads NAME_secret when it is there)
      curve_clients  a directory of allowed clients' public certificates
                     (zcert_save_public files); zauth re-reads it when it
                     changes, so clients are added or removed live
    Every external socket (ingest ROUTER, publisher PUB, snapshot ROUTER,
    query ROUTER) is then a CURVE server: traffic is encrypted, and a
    client whose public key is not in the directory, or that does not
    speak CURVE, fails the handshake and is never heard. Inproc sockets
    between actors are untouched.

    Thread rules: security_new, security_start and security_destroy belong
    to main (); security_apply_server only reads the certificate and may be
    called from every actor while the security_t lives. */
#ifndef SECURITY_H_INCLUDED
#define SECURITY_H_INCLUDED

#include <czmq.h>

typedef struct _security_t security_t;

/* Loads the server certificate (which must carry its secret key) and
   checks that clients_dir is a readable directory. Both must be given
   (non-empty). Returns an owned security_t, or NULL with a reason in err
   (256 bytes): CURVE missing from libzmq, a file unreadable or not a
   certificate, a certificate without its secret key, a directory that is
   not one. */
security_t *security_new (const char *server_cert, const char *clients_dir,
                          char *err);

/* Destroys the object and stops its zauth actor. NULL-safe, idempotent;
   nulls *self_p. Call after the sockets it secured are closed. */
void security_destroy (security_t **self_p);

/* Starts the zauth actor (one per process: it serves every socket of the
   czmq context) with the CURVE policy on the clients directory. Call once,
   before any secured socket binds. Returns 0, or -1 when the actor could
   not start or refused the policy. */
int security_start (security_t *self);

/* Makes sock a CURVE server with the server certificate, in the "hotline"
   ZAP domain. Call before bind. self NULL: nothing (CURVE off). */
void security_apply_server (security_t *self, zsock_t *sock);

/* The public key (Z85, borrowed), for log lines. */
const char *security_public_txt (const security_t *self);

#endif
