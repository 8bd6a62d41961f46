/*  store_internal: shared by the store's files, not part of its contract. */
#ifndef STORE_INTERNAL_H_INCLUDED
#define STORE_INTERNAL_H_INCLUDED

#include "store.h"

#include <lmdb.h>
#include <pthread.h>

struct _store_t {
    MDB_env *env;                   /* the one environment */
    MDB_dbi dbi[STORE_TABLE_COUNT]; /* named databases, fixed at open */
    char *scratch;                  /* a scratch store's directory, removed
                                       with it; NULL for a data directory */
    char *dir;                      /* the directory, for its free space */
    size_t map_max;                 /* store_make_room's ceiling, 0: none */
    pthread_mutex_t gate;           /* guards active and growing */
    pthread_cond_t changed;         /* signalled when either changes */
    size_t active;                  /* transactions open in this process */
    bool growing;                   /* store_make_room wants them closed */
    store_tap_fn *tap;              /* sees write transactions, or NULL */
    void *tap_arg;                  /* the tap's argument */
};

/* store_new, and for a scratch store (`scratch`) without fsync: what it
   holds is never needed after a crash. */
store_t *store__open (const char *dir, size_t map_size, bool scratch,
                      char *err);

/* Marks a store as scratch: store_destroy removes `dir` (copied). */
int store__set_scratch (store_t *self, const char *dir);

/* Every transaction enters the gate when it begins and leaves it when
   it ends (store_room.c): store_make_room waits for none to be open. */
void store__gate_enter (store_t *self);
void store__gate_leave (store_t *self);

#endif
