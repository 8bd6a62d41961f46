/*  proto_csv: the one CSV reader (proto.h), for the units registry and
    the published tables the generators read. RFC 4180: fields separated
    by commas, records by LF or CRLF; a field in double quotes may hold
    commas, doubled quotes and line breaks. A UTF-8 byte order mark
    before the first record (spreadsheets write one) is skipped. */
#include "proto_internal.h"

#include <stdlib.h>
#include <string.h>

#define FIELDS_MAX 256

struct _proto_csv_t {
    FILE *file;                  /* read from (borrowed) */
    unsigned line;               /* lines read so far */
    unsigned record_line;        /* first line of the last record */
    char *text;                  /* the last record's fields, NUL-separated */
    size_t text_size;            /* bytes allocated */
    char *fields[FIELDS_MAX];    /* into text */
    char error[PROTO_ERROR_MAX]; /* why the last call failed */
    bool started;                /* the first record was read */
};

proto_csv_t *
proto_csv_new (FILE *file)
{
    proto_csv_t *self = calloc (1, sizeof (*self));
    if (self)
        self->file = file;
    return self;
}

void
proto_csv_destroy (proto_csv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->text);
    free (*self_p);
    *self_p = NULL;
}

static bool
s_put (proto_csv_t *self, size_t *used, char c)
{
    if (*used + 1 >= self->text_size) {
        size_t size = self->text_size ? self->text_size * 2 : 256;
        char *text = realloc (self->text, size);
        if (!text)
            return false;
        self->text = text;
        self->text_size = size;
    }
    self->text[(*used)++] = c;
    return true;
}

int
proto_csv_next (proto_csv_t *self, char ***fields, size_t *count)
{
    *count = 0;
    self->error[0] = 0;
    int c = fgetc (self->file);
    if (!self->started) {
        self->started = true;
        if (c == 0xEF) {
            int b = fgetc (self->file), d = fgetc (self->file);
            if (b == 0xBB && d == 0xBF)
                c = fgetc (self->file);
            else {
                snprintf (self->error, sizeof (self->error),
                          "line 1: not UTF-8 text");
                return -1;
            }
        }
    }
    if (c == EOF)
        return 0;
    self->line++;
    self->record_line = self->line;
    size_t used = 0, n = 0;
    size_t start = 0;
    bool quoted = false, was_quoted = false;
    for (;; c = fgetc (self->file)) {
        if (quoted) {
            if (c == EOF) {
                snprintf (self->error, sizeof (self->error),
                          "line %u: a quoted field is not closed",
                          self->record_line);
                return -1;
            }
            if (c == '"') {
                int next = fgetc (self->file);
                if (next == '"') {
                    if (!s_put (self, &used, '"'))
                        goto nomem;
                    continue;
                }
                quoted = false;
                c = next;
            } else {
                if (c == '\n')
                    self->line++;
                if (c == 0) { /* would end the field early: refused */
                    snprintf (self->error, sizeof (self->error),
                              "line %u: a NUL byte", self->line);
                    return -1;
                }
                if (!s_put (self, &used, (char)c))
                    goto nomem;
                continue;
            }
        }
        if (c == '"' && used == start && !was_quoted) {
            quoted = was_quoted = true;
            continue;
        }
        if (c == '\r') {
            int next = fgetc (self->file);
            if (next != '\n' && next != EOF)
                ungetc (next, self->file);
            c = '\n';
        }
        if (c == ',' || c == '\n' || c == EOF) {
            if (n == FIELDS_MAX) {
                snprintf (self->error, sizeof (self->error),
                          "line %u: more than %d fields", self->record_line,
                          FIELDS_MAX);
                return -1;
            }
            if (!s_put (self, &used, 0))
                goto nomem;
            self->fields[n++] = (char *)(uintptr_t)start; /* offset for now */
            start = used;
            was_quoted = false;
            if (c != ',')
                break;
            continue;
        }
        if (was_quoted) {
            snprintf (self->error, sizeof (self->error),
                      "line %u: text after a closing quote", self->line);
            return -1;
        }
        if (c == 0) {
            snprintf (self->error, sizeof (self->error), "line %u: a NUL byte",
                      self->line);
            return -1;
        }
        if (!s_put (self, &used, (char)c))
            goto nomem;
    }
    /* The text may have moved while it grew: offsets become pointers. */
    for (size_t i = 0; i < n; i++)
        self->fields[i] = self->text + (uintptr_t)self->fields[i];
    *fields = self->fields;
    *count = n;
    return 1;
nomem:
    snprintf (self->error, sizeof (self->error), "out of memory");
    return -1;
}

unsigned
proto_csv_line (const proto_csv_t *self)
{
    return self->record_line;
}

const char *
proto_csv_error (const proto_csv_t *self)
{
    return self->error;
}
