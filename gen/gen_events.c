/*  gen_events: the event writer, the units CSV writer, the command line
    and the calendar that hotline-gen and hotline-synth share (gen.h).

    Events are collected encoded: a proto_event_t is about 800 bytes,
    almost all of it empty string buffers, while its protobuf encoding is
    under 100. Each event's bytes go to one growing arena and a small
    index entry (time, order of adding, place in the arena) is what gets
    sorted; writing decodes each event again, so every line passes
    proto_event_validate and comes from proto_event_to_json.
*/
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  ---------------------------------------------------------------------
//  Command line

gen_args_t
gen_args_parse (const char *program, int argc, char **argv,
                const gen_option_t *options, void (*usage) (FILE *out))
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            usage (stdout);
            return GEN_ARGS_DONE;
        }
        if (strcmp (arg, "--version") == 0) {
            printf ("%s %s\n", program, HOTLINE_VERSION);
            return GEN_ARGS_DONE;
        }
        const gen_option_t *option = options;
        while (option->name && strcmp (option->name, arg) != 0)
            option++;
        if (!option->name) {
            fprintf (stderr, "%s: unknown argument \"%s\"\n", program, arg);
            usage (stderr);
            return GEN_ARGS_USAGE;
        }
        if (option->flag) {
            *option->flag = true;
            continue;
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            fprintf (stderr, "%s: %s needs a value\n", program, arg);
            return GEN_ARGS_USAGE;
        }
        *option->value = argv[++i];
    }
    return GEN_ARGS_RUN;
}

//  ---------------------------------------------------------------------
//  Calendar

int64_t
gen_local_time (int year, int month, int day, int seconds)
{
    return proto_days_from_civil (year, month, day) * GEN_DAY + seconds -
           GEN_TZ_OFFSET;
}

int64_t
gen_month_after (int year, int month)
{
    return month == 12 ? gen_local_time (year + 1, 1, 1, 0)
                       : gen_local_time (year, month + 1, 1, 0);
}

int
gen_days_in_month (int year, int month)
{
    return (int)((gen_month_after (year, month) -
                  gen_local_time (year, month, 1, 0)) /
                 GEN_DAY);
}

//  ---------------------------------------------------------------------
//  Files

static FILE *
s_file_create (const char *program, const char *path)
{
    FILE *out = fopen (path, "w");
    if (!out)
        fprintf (stderr, "%s: cannot create %s: %s\n", program, path,
                 strerror (errno));
    return out;
}

/* Closes `out` and reports a write error; returns 0 or -1. */
static int
s_file_close (FILE *out, const char *program, const char *path)
{
    bool failed = ferror (out) != 0;
    if (fclose (out) != 0)
        failed = true;
    if (failed)
        fprintf (stderr, "%s: cannot write %s: %s\n", program, path,
                 strerror (errno ? errno : EIO));
    return failed ? -1 : 0;
}

//  ---------------------------------------------------------------------
//  Events

/* One collected event, as sorted. */
typedef struct {
    int64_t at;    /* occurred_at, ms: the sort key */
    size_t seq;    /* order of adding: the tie-break */
    size_t offset; /* of its encoding in the arena */
    size_t size;   /* bytes of its encoding */
} s_entry_t;

struct _gen_events_t {
    s_entry_t *entries; /* one per event, owned */
    size_t count;       /* entries used */
    size_t cap;         /* entries allocated */
    uint8_t *arena;     /* the encodings, back to back, owned */
    size_t used;        /* arena bytes used */
    size_t arena_cap;   /* arena bytes allocated */
    bool out_of_memory; /* an event was lost; writing fails */
};

void
gen_event_init (proto_event_t *event, proto_type_t type, int64_t at,
                const char *unit_id, const char *ticket_id)
{
    memset (event, 0, sizeof *event);
    event->type = type;
    event->occurred_at = gen_ms (at);
    if (unit_id)
        snprintf (event->unit_id, sizeof event->unit_id, "%s", unit_id);
    if (ticket_id)
        snprintf (event->ticket_id, sizeof event->ticket_id, "%s", ticket_id);
}

int64_t
gen_ms (int64_t seconds)
{
    return seconds * 1000;
}

gen_events_t *
gen_events_new (void)
{
    return calloc (1, sizeof (gen_events_t));
}

void
gen_events_destroy (gen_events_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free ((*self_p)->arena);
    free (*self_p);
    *self_p = NULL;
}

/* Makes room for one more entry and `size` more arena bytes. */
static bool
s_reserve (gen_events_t *self, size_t size)
{
    if (self->count == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 4096;
        s_entry_t *grown = realloc (self->entries, cap * sizeof *grown);
        if (!grown)
            return false;
        self->entries = grown;
        self->cap = cap;
    }
    if (self->used + size > self->arena_cap) {
        size_t cap = self->arena_cap ? self->arena_cap : 1 << 18;
        while (self->used + size > cap)
            cap *= 2;
        uint8_t *grown = realloc (self->arena, cap);
        if (!grown)
            return false;
        self->arena = grown;
        self->arena_cap = cap;
    }
    return true;
}

void
gen_events_add (gen_events_t *self, const proto_event_t *event)
{
    if (self->out_of_memory)
        return;
    //  The id is given when the file order is known; until then a
    //  placeholder keeps the encoding a valid event.
    proto_event_t copy = *event;
    snprintf (copy.event_id, sizeof copy.event_id, "-");
    size_t size;
    uint8_t *bytes = proto_event_encode (&copy, &size);
    if (!bytes || !s_reserve (self, size)) {
        free (bytes);
        self->out_of_memory = true;
        return;
    }
    memcpy (self->arena + self->used, bytes, size);
    free (bytes);
    self->entries[self->count] = (s_entry_t){
        .at = event->occurred_at,
        .seq = self->count,
        .offset = self->used,
        .size = size,
    };
    self->count++;
    self->used += size;
}

size_t
gen_events_count (const gen_events_t *self)
{
    return self->count;
}

int
gen_order (int64_t at_a, size_t seq_a, int64_t at_b, size_t seq_b)
{
    if (at_a != at_b)
        return at_a < at_b ? -1 : 1;
    return seq_a < seq_b ? -1 : seq_a > seq_b;
}

static int
s_entry_compare (const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    return gen_order (x->at, x->seq, y->at, y->seq);
}

/* Writes entry `index` (0-based) of the sorted events as one line. */
static int
s_event_write (const gen_events_t *self, size_t index, FILE *out,
               const char *program, const char *id_prefix)
{
    const s_entry_t *entry = &self->entries[index];
    proto_event_t event;
    char reason[PROTO_ERROR_MAX + 1];
    if (proto_event_decode (self->arena + entry->offset, entry->size, &event,
                            reason)) {
        fprintf (stderr,
                 "%s: line %zu (ticket \"%s\") is not a valid "
                 "event: %s\n",
                 program, index + 1, event.ticket_id, reason);
        return -1;
    }
    int n = snprintf (event.event_id, sizeof event.event_id, "%s%06zu",
                      id_prefix, index + 1);
    if (n < 0 || (size_t)n >= sizeof event.event_id) {
        fprintf (stderr, "%s: event id prefix \"%s\" is too long\n", program,
                 id_prefix);
        return -1;
    }
    char *line = proto_event_to_json (&event);
    if (!line) {
        fprintf (stderr, "%s: out of memory\n", program);
        return -1;
    }
    fputs (line, out);
    fputc ('\n', out);
    free (line);
    return 0;
}

int
gen_events_write (gen_events_t *self, const char *program, const char *path,
                  const char *id_prefix)
{
    if (self->out_of_memory) {
        fprintf (stderr, "%s: out of memory\n", program);
        return -1;
    }
    if (self->count)
        qsort (self->entries, self->count, sizeof *self->entries,
               s_entry_compare);
    FILE *out = s_file_create (program, path);
    if (!out)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < self->count && rc == 0; i++)
        rc = s_event_write (self, i, out, program, id_prefix);
    if (s_file_close (out, program, path))
        rc = -1;
    return rc;
}

//  ---------------------------------------------------------------------
//  Units CSV

/* Writes a CSV field, quoted when it holds a separator or a quote. */
static void
s_field_write (FILE *out, const char *text, char after)
{
    if (!strpbrk (text, ",\"\r\n"))
        fputs (text, out);
    else {
        fputc ('"', out);
        for (; *text; text++) {
            if (*text == '"')
                fputc ('"', out);
            fputc (*text, out);
        }
        fputc ('"', out);
    }
    fputc (after, out);
}

int
gen_units_write (const char *program, const char *path, const gen_unit_t *units,
                 size_t count)
{
    FILE *out = s_file_create (program, path);
    if (!out)
        return -1;
    fputs ("unit_id,name,group\n", out);
    for (size_t i = 0; i < count; i++) {
        s_field_write (out, units[i].unit_id, ',');
        s_field_write (out, units[i].name, ',');
        s_field_write (out, units[i].group, '\n');
    }
    return s_file_close (out, program, path);
}
