/*  proto: helpers shared by the files of the proto module only.

    Nothing here may leak protobuf-c or cJSON types; the files that need
    them include those headers themselves.
*/
#ifndef PROTO_INTERNAL_H_INCLUDED
#define PROTO_INTERNAL_H_INCLUDED

#include "proto.h"

/* Writes a formatted rejection reason into `reason` (PROTO_ERROR_MAX bytes
   including the terminator). A NULL `reason` is allowed and ignored, so
   callers that only want the verdict need not provide a buffer. */
void proto__reason (char *reason, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

/* True when the `size` bytes at `text` are well-formed UTF-8: no overlong
   forms, no surrogates, nothing above U+10FFFF. */
bool proto__utf8_valid (const char *text, size_t size);

/* Copies the NUL-terminated `source` into `dest` (`dest_size` bytes with
   room for the terminator). A NULL source copies as empty. Rejects, never
   truncates: returns -1 with a reason naming `field` when the value does not
   fit or is not UTF-8, leaving `dest` empty. */
int proto__copy_field (char *dest, size_t dest_size, const char *source,
                       const char *field, char *reason);

#endif
