/*  json: the one JSON writer.

    Every JSON byte hotline emits — reports, score rows, alerts, stats,
    dead letters, event lines, snapshots — is written here, so escaping
    is done in one place: a string with quotes, backslashes or control
    characters always comes out as valid JSON.

    The writer appends to one growing buffer and places commas itself.
    It prints exactly the bytes cJSON 1.7's cJSON_PrintUnformatted prints
    for the same tree (no spaces; strings escaped as its print_string_ptr
    does; numbers as its print_number does), which the golden tests and
    earlier stored output rely on.

    Out of memory: the first failed allocation marks the writer failed;
    later calls do nothing and json_text/json_finish return NULL.

    Thread rules: a writer belongs to one thread; the module keeps no
    state. Links with libc and libm only.
*/
#ifndef JSON_H_INCLUDED
#define JSON_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

/* Nesting the writer tracks commas for; deeper levels are written but
   their commas are not placed. */
#define JSON_DEPTH_MAX 16

typedef struct {
    char *data;                 /* the text so far, or NULL */
    size_t size;                /* bytes used, NUL not counted */
    size_t capacity;            /* bytes allocated */
    bool failed;                /* out of memory: the text is lost */
    bool after_key;             /* a key was written, its value is next */
    int depth;                  /* open objects and arrays */
    bool first[JSON_DEPTH_MAX]; /* per level: nothing written in it yet */
} json_writer_t;

/* Starts an empty text with room for `capacity` bytes. */
void json_init (json_writer_t *self, size_t capacity);
/* Empties the buffer and keeps its memory. */
void json_reset (json_writer_t *self);
/* The text (borrowed; NULL after a failed allocation). */
char *json_text (json_writer_t *self);
/* The text, which the caller now frees (NULL when out of memory); the
   writer is left empty and may be initialised again. */
char *json_finish (json_writer_t *self);
/* Frees the buffer; the writer is left empty. */
void json_free (json_writer_t *self);

/* '{' or '[' opens, '}' or ']' closes. */
void json_open (json_writer_t *self, char bracket);
void json_close (json_writer_t *self, char bracket);
/* An object member's key; its value is the next value written. */
void json_key (json_writer_t *self, const char *key);
/* A string value, escaped. NULL is written as "". */
void json_string (json_writer_t *self, const char *text);
/* A literal value: null, true, false, or already formatted text. */
void json_literal (json_writer_t *self, const char *text);
/* Bytes appended as they are, with no comma placed: the caller writes
   complete JSON (an already rendered object, say). */
void json_raw (json_writer_t *self, const char *text, size_t size);
/* An already rendered JSON value, with its comma placed. */
void json_value (json_writer_t *self, const char *json);
void json_int (json_writer_t *self, long long value);
void json_bool (json_writer_t *self, bool value);
/* A number as cJSON prints one (cJSON_AddNumberToObject); NaN and the
   infinities as null. */
void json_number (json_writer_t *self, double value);
/* A number with a fixed count of decimals, 0 or 2 (as "%.0f"/"%.2f"
   print it, "-0.00" shown as 0.00); NaN as null. */
void json_fixed (json_writer_t *self, double value, int decimals);

/* Shorthands for object members: key, then the value. */
void json_member_string (json_writer_t *self, const char *key,
                         const char *text);
void json_member_int (json_writer_t *self, const char *key, long long value);
void json_member_number (json_writer_t *self, const char *key, double value);
void json_member_bool (json_writer_t *self, const char *key, bool value);

#endif
