/*  store_room: room in the map (store.h, "Room in the map").

   mdb_env_set_mapsize may only be called while no transaction of the
   process is open (lmdb.h); readers keep pointers into the map. Every
   transaction therefore passes a gate: store_make_room closes it, waits
   for the open ones to end, resizes, and opens it again. */
#include "store_internal.h"

#include <time.h>

/* Transactions the calling thread holds (on any store): a thread that
   holds one may open another while the map waits to grow, or it would
   wait for itself. */
static _Thread_local int s_held;

void
store__gate_enter (store_t *self)
{
    pthread_mutex_lock (&self->gate);
    while (self->growing && s_held == 0)
        pthread_cond_wait (&self->changed, &self->gate);
    self->active++;
    pthread_mutex_unlock (&self->gate);
    s_held++;
}

void
store__gate_leave (store_t *self)
{
    pthread_mutex_lock (&self->gate);
    if (--self->active == 0)
        pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->gate);
    s_held--;
}

void
store_set_map_max (store_t *self, size_t map_max)
{
    self->map_max = map_max;
}

size_t
store_map_max (const store_t *self)
{
    return self->map_max;
}

int
store_set_synced (store_t *self, bool synced)
{
    return mdb_env_set_flags (self->env, MDB_NOSYNC, synced ? 0 : 1) == 0
               ? STORE_OK
               : STORE_ERROR;
}

bool
store_synced (const store_t *self)
{
    unsigned flags = 0;
    return mdb_env_get_flags (self->env, &flags) == 0 && !(flags & MDB_NOSYNC);
}

int
store_make_room (store_t *self, bool full, int wait_ms)
{
    uint64_t used, map;
    int rc = store_info (self, &used, &map);
    if (rc != STORE_OK)
        return rc;
    if (!full && used <= map - map / 4)
        return 0;
    uint64_t ceiling = self->map_max > map ? self->map_max : map;
    if (map >= ceiling)
        return full ? STORE_FULL : 0;
    uint64_t want = map * 2 > used * 2 ? map * 2 : used * 2;
    want = (want + (1 << 20) - 1) & ~(uint64_t)((1 << 20) - 1);
    if (want > ceiling)
        want = ceiling;
    struct timespec until;
    clock_gettime (CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock (&self->gate);
    self->growing = true;
    int waited = 0;
    while (self->active > 0 && waited == 0)
        waited = pthread_cond_timedwait (&self->changed, &self->gate, &until);
    rc = self->active > 0                             ? STORE_ERROR
         : mdb_env_set_mapsize (self->env, want) == 0 ? STORE_OK
                                                      : STORE_ERROR;
    self->growing = false;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->gate);
    return rc == STORE_OK ? 1 : rc;
}
