/*  client_sub: a subscriber that late joiners and slow readers can trust.

    The zguide's Clone pattern, client side: subscribe to everything first,
    then fetch a snapshot (the publisher's state and the sequence number it
    reflects), apply it, and apply only live messages numbered above it. A
    gap in the numbers — a message lost to a high-water mark, or a
    heartbeat announcing a number never seen — makes the subscriber fetch a
    new snapshot by itself and carry on from there.

    The state is the last row per (score topic, period) and the open alert
    per ticket; client_subscriber_state renders it as JSON:
      {"sequence":S,
       "scores":{"score/<ruleset>/<unit>|<period>":{row}, ...},
       "alerts":{"<ticket_id>":{alert}, ...}}

    Thread rules: a subscriber belongs to one thread. */
#ifndef CLIENT_SUB_H_INCLUDED
#define CLIENT_SUB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _client_subscriber_t client_subscriber_t;

/* Called for each message applied: from a snapshot (snapshot = true, the
   snapshot's sequence number) or from the live feed. */
typedef void (client_message_fn) (void *arg, uint64_t sequence,
                                  const char *topic, const char *json,
                                  bool snapshot);

/* Connects to the publisher and snapshot endpoints. rcvhwm: messages the
   subscriber queues before dropping (0: ZeroMQ's default). Returns NULL
   with a reason in err (256 bytes). */
client_subscriber_t *client_subscriber_new (const char *publish,
                                            const char *snapshot, int rcvhwm,
                                            char *err);
/* The same over CURVE (client_secure.h) when client_cert and
   server_public are given, for the feed and every snapshot request; both
   NULL or "": plain. A daemon that refuses the certificate sends nothing,
   so the first sync times out. */
client_subscriber_t *client_subscriber_new_secure (const char *publish,
                                                   const char *snapshot,
                                                   const char *client_cert,
                                                   const char *server_public,
                                                   int rcvhwm, char *err);
void client_subscriber_destroy (client_subscriber_t **self_p);

/* Replaces the state with a fresh snapshot, waiting up to timeout_ms.
   Returns 0, or -1 with a reason. */
int client_subscriber_sync (client_subscriber_t *self, int timeout_ms,
                            client_message_fn *fn, void *arg, char *err);

/* Waits up to timeout_ms for the live feed; applies what arrives (or
   re-syncs on a gap). Returns 1 when a message was applied, 0 when
   nothing new arrived in time, -1 on error (reason in err). */
int client_subscriber_poll (client_subscriber_t *self, int timeout_ms,
                            client_message_fn *fn, void *arg, char *err);

/* The sequence number the state reflects; how many re-syncs a gap
   caused; the last number the publisher announced. */
uint64_t client_subscriber_sequence (const client_subscriber_t *self);
size_t client_subscriber_resyncs (const client_subscriber_t *self);
uint64_t client_subscriber_announced (const client_subscriber_t *self);

/* The state as JSON (above). The caller frees it; NULL without memory. */
char *client_subscriber_state (const client_subscriber_t *self);

#endif
