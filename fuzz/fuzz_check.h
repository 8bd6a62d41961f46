/*  fuzz_check: the check the fuzz targets make of what they are fed.

    FUZZ_CHECK (cond) aborts with the file, line and condition when cond
    is false, so libFuzzer saves the input as a crash (a finding);
    fuzz_cstring makes the bytes a C string for readers that want one. */
#ifndef FUZZ_CHECK_H_INCLUDED
#define FUZZ_CHECK_H_INCLUDED

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                     #cond);                                                   \
            abort ();                                                          \
        }                                                                      \
    } while (0)

/* A malloc'd NUL-terminated copy of the bytes (an embedded NUL ends the
   text early), or NULL when out of memory. */
static inline char *
fuzz_cstring (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    if (text) {
        memcpy (text, data, size);
        text[size] = '\0';
    }
    return text;
}

#endif
