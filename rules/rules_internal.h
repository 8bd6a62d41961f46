/*  rules_internal: helpers shared by the rules module's files. */
#ifndef RULES_INTERNAL_H_INCLUDED
#define RULES_INTERNAL_H_INCLUDED

#include "rules.h"

/*  ZPL (rfc.zeromq.org spec 4), read exactly as czmq's zconfig reads it,
    so ruleset files written for zconfig load unchanged: "name = value"
    or "name" alone, nesting by four spaces, '#' comments, values quoted
    with " or ' (no escapes) or bare up to a '#'. Unlike zconfig, every
    node keeps its line number.                                          */
typedef struct _rules_zpl_t rules_zpl_t;

/* Parses text. Returns the root (an unnamed node whose children are the
   top-level names), or NULL with the line in *line (0: none) and what is
   wrong in err (RULES_ERR_MAX bytes) when the text is not ZPL. */
rules_zpl_t *rules__zpl_load (const char *text, int *line, char *err);
void rules__zpl_destroy (rules_zpl_t **self_p);
/* The node at `path` ("a/b": child a, then its child b; the first of a
   name), or NULL. */
rules_zpl_t *rules__zpl_locate (rules_zpl_t *self, const char *path);
/* The value at `path`, or `fallback` when there is no such node. A node
   without a value has "". */
const char *rules__zpl_get (rules_zpl_t *self, const char *path,
                            const char *fallback);
rules_zpl_t *rules__zpl_child (rules_zpl_t *self);
rules_zpl_t *rules__zpl_next (rules_zpl_t *self);
const char *rules__zpl_name (rules_zpl_t *self);
const char *rules__zpl_value (rules_zpl_t *self);
int rules__zpl_line (rules_zpl_t *self);

/* The SHA-256 of `size` bytes as 64 lowercase hex digits and a NUL
   into hex (65 bytes). */
void rules__sha256 (const void *data, size_t size, char *hex);

#endif
