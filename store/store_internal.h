/*  store_internal: shared by the store's files, not part of its contract. */
#ifndef STORE_INTERNAL_H_INCLUDED
#define STORE_INTERNAL_H_INCLUDED

#include "store.h"

/* Marks a store as scratch: store_destroy removes `dir` (copied). */
int store__set_scratch (store_t *self, const char *dir);

#endif
