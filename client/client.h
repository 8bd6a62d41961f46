/*  client: talking to hotlined from a program.

    client_query     one request/reply to the query endpoint.
    client_sender_*  the sender a platform bridge links: events go out in
                     batches over a DEALER socket with a window of batches
                     in flight. A batch not acknowledged by its deadline
                     is sent again, with the wait doubling up to a limit;
                     a batch the daemon refused as a whole (ok=false: the
                     store full, say) is retried the same way. The daemon
                     de-duplicates by event_id, so a resend never counts
                     twice: at least once delivery, exactly once effect,
                     across daemon restarts. Every event ends in exactly
                     one call of the outcome callback: stored, duplicate
                     (already stored: the answer to a resend whose first
                     attempt was stored), rejected with a reason, or not
                     acknowledged (status 0) when the sender gave up.
                     When the daemon goes away (a crash, a restart) the
                     sender drops its socket, makes a fresh one after a
                     back-off (100 ms, doubling while nothing is
                     answered; at most 1 s while nobody listens, or
                     when a connection is not made within 2 s or a
                     socket never connects) and sends every unanswered
                     batch again in its order.
                     The socket never reconnects by itself, so nothing
                     queued for a dead daemon can reach the next one
                     ahead of those resends: a ticket's events are
                     stored in the order they were added.

    Each has a _secure variant taking two certificate paths, client_cert
    and server_public (client_secure.h): both given, the connection is a
    CURVE client of a daemon with curve_secret set; both NULL or "", it is
    plain, as the functions without the suffix are. A daemon that refuses
    the certificate (or a plain client) never answers: the query times
    out and the sender's events end not acknowledged.

    Thread rules: a sender belongs to one thread. */
#ifndef CLIENT_H_INCLUDED
#define CLIENT_H_INCLUDED

#include "proto.h"

#include <stdbool.h>
#include <stdint.h>

/* Sends `query` and waits up to timeout_ms for the reply. Returns 0 and
   the reply body in *json (caller frees), or -1 with a reason in err
   (256 bytes): no answer, or the daemon's error. */
int client_query (const char *endpoint, const proto_query_t *query,
                  int timeout_ms, char **json, char *err);
int client_query_secure (const char *endpoint, const char *client_cert,
                         const char *server_public, const proto_query_t *query,
                         int timeout_ms, char **json, char *err);

/* Called once per event, in no particular order across batches. `tag` is
   what was given to client_sender_add (a line number for files). */
typedef void (client_outcome_fn) (void *arg, uint32_t tag, int status,
                                  const char *reason);

typedef struct _client_sender_t client_sender_t;

/* batch_size: events per message (0: 500). window: messages in flight
   (0: 32). timeout_ms: how long a batch is retried before the sender gives
   it up (0: 60 s), counted from its first attempt; an attempt made only
   after that moment (a resend on a fresh connection) first gets one
   wait for its answer. */
client_sender_t *client_sender_new (const char *endpoint, size_t batch_size,
                                    size_t window, int timeout_ms,
                                    client_outcome_fn *outcome, void *arg,
                                    char *err);
client_sender_t *
client_sender_new_secure (const char *endpoint, const char *client_cert,
                          const char *server_public, size_t batch_size,
                          size_t window, int timeout_ms,
                          client_outcome_fn *outcome, void *arg, char *err);
void client_sender_destroy (client_sender_t **self_p);

/* The wait for a batch's first acknowledgement before it is sent again
   (default 3 s), and the longest wait between attempts (30 s). */
void client_sender_set_waits (client_sender_t *self, int first_wait_ms,
                              int max_wait_ms);

/* Queues one event (copied). May block while the window is full. Each
   call also takes the answers already received, renews a lost
   connection and resends what is due (at most every 10 ms), so a caller
   that adds now and then is looked after too; the sender does nothing
   while its thread is elsewhere. Returns 0, or -1 when the daemon
   stopped answering or the process was interrupted (outcomes were
   reported; client_sender_flush below). */
int client_sender_add (client_sender_t *self, const proto_event_t *event,
                       uint32_t tag);

/* Sends the batch being filled now, without waiting for it to fill, and
   does what each add does (answers taken, a lost connection renewed,
   resends): for a caller whose events come slowly, when it has nothing
   to add for a while (hotline send, when its input is quiet for 50 ms).
   Returns as client_sender_add. */
int client_sender_idle (client_sender_t *self);

/* Reports a line the caller could not parse; it travels with the next
   batch so the daemon logs and counts it too. */
int client_sender_reject (client_sender_t *self, uint32_t line,
                          const char *reason);

/* Sends what is queued and waits for every acknowledgement. Returns 0
   when all were answered, -1 when some were not (reported as status 0).
   A signal does not change this unless asked for (below). */
int client_sender_flush (client_sender_t *self);

/* Makes the sender stop on SIGINT or SIGTERM (czmq's handler, which
   every czmq program has unless it turned it off, sets zsys_interrupted):
   from then on add sends nothing more (the batch being filled is
   reported "not sent: interrupted" and add returns -1), no fresh
   connection is made, and flush waits at most one more second for the
   answers to the batches in flight, then reports the rest not
   acknowledged. hotline send uses it; a bridge that wants every answer
   before it exits does not. */
void client_sender_stop_on_signals (client_sender_t *self);

/* True once a sender that stops on signals was interrupted. */
bool client_sender_interrupted (const client_sender_t *self);

/* Events answered so far; batches sent more than once. */
uint64_t client_sender_answered (const client_sender_t *self);
uint64_t client_sender_resent (const client_sender_t *self);

#endif
