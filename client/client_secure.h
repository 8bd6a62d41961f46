/*  client_secure: makes a client socket a CURVE client of hotlined.

    The client side of daemon/security.h (the zguide's Ironhouse pattern):
    the client proves who it is with its own certificate, whose public
    half must be in the daemon's curve_clients directory, and checks that
    it talks to the real daemon with the server's public certificate.
    Both files are what zcert_save writes (`hotline keygen NAME` writes
    NAME, the public certificate, and NAME_secret, which has both keys):
      client_cert    the client's NAME_secret (NAME also works: czmq
                     reads NAME_secret when it is next to it)
      server_public  the server's public certificate, NAME */
#ifndef CLIENT_SECURE_H_INCLUDED
#define CLIENT_SECURE_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

/* Call before connect. Both NULL or "": nothing, the socket stays plain
   (returns 0). Otherwise loads both certificates and applies them.
   Returns 0, or -1 with a reason in err (256 bytes): only one of the two
   given, a file unreadable or not a certificate, a client certificate
   without its secret key. */
int client_secure (zsock_t *sock, const char *client_cert,
                   const char *server_public, char *err);

/* Whether these settings ask for CURVE (either path non-empty). */
bool client_secure_wanted (const char *client_cert, const char *server_public);

#endif
