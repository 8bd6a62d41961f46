/*  store_dir: the data directory around the LMDB environment (store.h):
    its lock, its presence, scratch stores and removal. The names of the
    files LMDB keeps there are known here and in store.c only. */
#include "store_internal.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_FILE "data.mdb"
#define LOCK_FILE "lock.mdb"
#define DIR_LOCK  "hotlined.lock"

struct _store_lock_t {
    int fd; /* the locked file, open for the lock's life */
};

store_lock_t *
store_lock (const char *dir, char *err)
{
    if (mkdir (dir, 0750) != 0 && errno != EEXIST) {
        snprintf (err, 256, "cannot create %s: %s", dir, strerror (errno));
        return NULL;
    }
    char path[4096];
    snprintf (path, sizeof (path), "%s/" DIR_LOCK, dir);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf (err, 256, "cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf (err, 256, "another hotlined or hotline replay is using %s",
                  dir);
        close (fd);
        return NULL;
    }
    store_lock_t *self = malloc (sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        close (fd);
        return NULL;
    }
    self->fd = fd;
    return self;
}

void
store_unlock (store_lock_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    close ((*self_p)->fd);
    free (*self_p);
    *self_p = NULL;
}

int
store_present (const char *dir, uint64_t *bytes)
{
    char path[4096];
    snprintf (path, sizeof (path), "%s/" DATA_FILE, dir);
    struct stat st;
    if (stat (path, &st) != 0)
        return -1;
    if (bytes)
        *bytes = (uint64_t)st.st_size;
    return 0;
}

int
store_remove_dir (const char *dir)
{
    const char *files[] = {DATA_FILE, LOCK_FILE, DIR_LOCK};
    int rc = 0;
    for (size_t i = 0; i < sizeof (files) / sizeof (files[0]); i++) {
        char path[4096];
        snprintf (path, sizeof (path), "%s/%s", dir, files[i]);
        if (unlink (path) != 0 && errno != ENOENT)
            rc = -1;
    }
    if (rmdir (dir) != 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

#define SCRATCH_PREFIX "hotline-scratch-"

static const char *
s_tmpdir (void)
{
    const char *tmp = getenv ("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

/* A new empty directory under $TMPDIR (or /tmp) in `dir` (4096), named
   after this process so that store_scratch_sweep can tell it from a
   live process's. */
static int
s_scratch_dir (char *dir, char *err)
{
    const char *tmp = s_tmpdir ();
    snprintf (dir, 4096, "%s/" SCRATCH_PREFIX "%ld-XXXXXX", tmp,
              (long)getpid ());
    if (!mkdtemp (dir)) {
        snprintf (err, 256, "cannot create a scratch store in %s: %s", tmp,
                  strerror (errno));
        return -1;
    }
    return 0;
}

size_t
store_scratch_sweep (void)
{
    DIR *dir = opendir (s_tmpdir ());
    if (!dir)
        return 0;
    size_t removed = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        const char *name = entry->d_name;
        size_t prefix = strlen (SCRATCH_PREFIX);
        char *end = NULL;
        if (strncmp (name, SCRATCH_PREFIX, prefix) != 0)
            continue;
        long pid = strtol (name + prefix, &end, 10);
        /* Only a process that has ended: kill (pid, 0) says ESRCH. */
        if (end == name + prefix || *end != '-' || pid <= 0 ||
            pid == (long)getpid () || kill ((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        char path[4096];
        snprintf (path, sizeof (path), "%s/%s", s_tmpdir (), name);
        removed += store_remove_dir (path) == 0;
    }
    closedir (dir);
    return removed;
}

/* Opens the scratch store in `dir` (its own new directory), or removes
   the directory. */
static store_t *
s_scratch_open (char *dir, size_t map_size, char *err)
{
    store_t *self = store__open (dir, map_size, true, err);
    if (!self || store__set_scratch (self, dir) != 0) {
        store_destroy (&self);
        store_remove_dir (dir);
        if (!*err)
            snprintf (err, 256, "out of memory");
        return NULL;
    }
    return self;
}

/* A scratch store's map when none is asked: address space only (its
   file grows with its data, no writable map), so room for a replay of a
   long log. */
#define SCRATCH_MAP ((size_t)64 << 30)

store_t *
store_scratch_new (size_t map_size, char *err)
{
    char dir[4096];
    return s_scratch_dir (dir, err) == 0
               ? s_scratch_open (dir, map_size ? map_size : SCRATCH_MAP, err)
               : NULL;
}

store_t *
store_scratch_copy (store_t *from, char *err)
{
    char dir[4096];
    if (s_scratch_dir (dir, err) != 0)
        return NULL;
    /* LMDB copies from a read transaction of its own: the last commit. */
    MDB_envinfo info;
    int rc = mdb_env_info (from->env, &info);
    if (rc == 0)
        rc = mdb_env_copy2 (from->env, dir, MDB_CP_COMPACT);
    if (rc != 0) {
        snprintf (err, 256, "cannot copy a scratch store into %s: %s", dir,
                  mdb_strerror (rc));
        store_remove_dir (dir);
        return NULL;
    }
    return s_scratch_open (dir, info.me_mapsize, err);
}
