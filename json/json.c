/*  json: the one JSON writer (json.h).

    Reports were once built as cJSON trees and printed with
    cJSON_PrintUnformatted; building the tree (a node per value) and
    printing its numbers (snprintf "%1.15g", then a sscanf round trip)
    cost ten times reading the counters. This writer appends to one
    growing buffer instead and prints exactly the bytes cJSON 1.7 prints:
    no spaces, strings escaped as print_string_ptr escapes them, numbers
    as print_number prints them. The golden-table tests compare those
    bytes. */
#include "json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
json_init (json_writer_t *self, size_t capacity)
{
    memset (self, 0, sizeof (*self));
    self->capacity = capacity > 64 ? capacity : 64;
    self->data = malloc (self->capacity);
    self->failed = self->data == NULL;
    if (self->data)
        self->data[0] = 0;
}

void
json_reset (json_writer_t *self)
{
    self->size = 0;
    self->depth = 0;
    self->after_key = false;
    if (self->data)
        self->data[0] = 0;
}

char *
json_text (json_writer_t *self)
{
    if (self->failed || !self->data)
        return NULL;
    self->data[self->size] = 0;
    return self->data;
}

char *
json_finish (json_writer_t *self)
{
    char *text = json_text (self);
    if (!text)
        free (self->data);
    memset (self, 0, sizeof (*self));
    return text;
}

void
json_free (json_writer_t *self)
{
    free (self->data);
    memset (self, 0, sizeof (*self));
}

/* Room for `more` bytes and the terminating NUL. After a failed
   allocation every later write is dropped and the text is NULL. */
static inline bool
s_room (json_writer_t *self, size_t more)
{
    if (self->failed)
        return false;
    if (self->size + more + 1 <= self->capacity)
        return true;
    size_t capacity = self->capacity * 2;
    while (capacity < self->size + more + 1)
        capacity *= 2;
    char *data = realloc (self->data, capacity);
    if (!data) {
        self->failed = true;
        return false;
    }
    self->data = data;
    self->capacity = capacity;
    return true;
}

void
json_raw (json_writer_t *self, const char *text, size_t size)
{
    if (!s_room (self, size))
        return;
    memcpy (self->data + self->size, text, size);
    self->size += size;
}

static inline void
s_put (json_writer_t *self, char c)
{
    if (s_room (self, 1))
        self->data[self->size++] = c;
}

/* A value starts: after a key nothing, else a comma unless it is the
   first of its object or array. */
static inline void
s_value (json_writer_t *self)
{
    if (self->after_key) {
        self->after_key = false;
        return;
    }
    if (self->depth > 0 && self->depth <= JSON_DEPTH_MAX) {
        if (!self->first[self->depth - 1])
            s_put (self, ',');
        self->first[self->depth - 1] = false;
    }
}

/* The bytes print_string_ptr escapes: control bytes, quote, backslash. */
static const bool s_escaped[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['"'] = 1, ['\\'] = 1};

static void
s_string (json_writer_t *self, const char *text)
{
    /* print_string_ptr: bytes above 31 as they are (UTF-8 included),
       quote and backslash escaped, the rest as short or \u00XX escapes.
       The terminating NUL is a control byte: the scan stops there too. */
    const unsigned char *s = (const unsigned char *)text;
    size_t plain = 0;
    while (!s_escaped[s[plain]])
        plain++;
    if (!s_room (self, plain + 2))
        return;
    self->data[self->size++] = '"';
    memcpy (self->data + self->size, s, plain);
    self->size += plain;
    for (s += plain; *s; s++) {
        char escaped[8];
        const char *out = NULL;
        switch (*s) {
        case '"':
            out = "\\\"";
            break;
        case '\\':
            out = "\\\\";
            break;
        case '\b':
            out = "\\b";
            break;
        case '\f':
            out = "\\f";
            break;
        case '\n':
            out = "\\n";
            break;
        case '\r':
            out = "\\r";
            break;
        case '\t':
            out = "\\t";
            break;
        default:
            if (*s > 31) {
                s_put (self, (char)*s);
                continue;
            }
            snprintf (escaped, sizeof (escaped), "\\u%04x", *s);
            out = escaped;
        }
        json_raw (self, out, strlen (out));
    }
    s_put (self, '"');
}

void
json_key (json_writer_t *self, const char *key)
{
    s_value (self);
    s_string (self, key);
    s_put (self, ':');
    self->after_key = true;
}

void
json_open (json_writer_t *self, char bracket)
{
    s_value (self);
    s_put (self, bracket);
    if (self->depth < JSON_DEPTH_MAX)
        self->first[self->depth] = true;
    self->depth++;
}

void
json_close (json_writer_t *self, char bracket)
{
    if (self->depth > 0)
        self->depth--;
    s_put (self, bracket);
}

void
json_string (json_writer_t *self, const char *text)
{
    s_value (self);
    s_string (self, text ? text : "");
}

void
json_literal (json_writer_t *self, const char *text)
{
    s_value (self);
    json_raw (self, text, strlen (text));
}

void
json_value (json_writer_t *self, const char *json)
{
    json_literal (self, json);
}

void
json_bool (json_writer_t *self, bool value)
{
    json_literal (self, value ? "true" : "false");
}

/* Decimal digits of v, backwards from end. Returns the first digit. */
static inline char *
s_digits (char *end, unsigned long long v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void
json_int (json_writer_t *self, long long value)
{
    char buf[24];
    char *end = buf + sizeof (buf);
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value
                                             : (unsigned long long)value;
    char *p = s_digits (end, magnitude);
    if (value < 0)
        *--p = '-';
    s_value (self);
    json_raw (self, p, (size_t)(end - p));
}

void
json_number (json_writer_t *self, double value)
{
    /* print_number: "%1.15g", or "%1.17g" when that does not read back
       as the same double. Whole numbers of up to 15 digits (counters,
       ranks, points) print as their digits, so they skip printf. */
    if (isnan (value) || isinf (value)) {
        json_literal (self, "null");
        return;
    }
    if (value == floor (value) && fabs (value) < 1e15) {
        if (value == 0 && signbit (value))
            json_literal (self, "-0");
        else
            json_int (self, (long long)value);
        return;
    }
    char text[32];
    snprintf (text, sizeof (text), "%1.15g", value);
    double back = strtod (text, NULL);
    double larger = fabs (back) > fabs (value) ? fabs (back) : fabs (value);
    if (!(fabs (back - value) <= larger * DBL_EPSILON))
        snprintf (text, sizeof (text), "%1.17g", value);
    json_literal (self, text);
}

void
json_fixed (json_writer_t *self, double value, int decimals)
{
    if (isnan (value)) {
        json_literal (self, "null");
        return;
    }
    /* printf ("%.2f") (or "%.0f") rounds the exact binary value to the
       nearest; values shown with two decimals are whole cents already
       (rounded by their ruleset), so value * 100 lies within a rounding
       error of an integer, far from any halfway point, and that integer
       is what printf prints. Values near a halfway point, or too large
       for the shortcut, take printf. */
    bool cents2 = decimals != 0;
    double scaled = cents2 ? value * 100 : value;
    if (fabs (scaled) < 1e15) {
        double whole = nearbyint (scaled);
        if (fabs (scaled - whole) < 0.25) {
            long long cents = (long long)whole;
            char buf[32];
            char *end = buf + sizeof (buf);
            unsigned long long magnitude =
                cents < 0 ? 0ULL - (unsigned long long)cents
                          : (unsigned long long)cents;
            char *p = end;
            if (cents2) {
                *--p = (char)('0' + magnitude % 10);
                *--p = (char)('0' + magnitude / 10 % 10);
                *--p = '.';
                magnitude /= 100;
            }
            p = s_digits (p, magnitude);
            /* "-0.00" is shown as 0.00, as the bulletins do. */
            if (cents < 0)
                *--p = '-';
            s_value (self);
            json_raw (self, p, (size_t)(end - p));
            return;
        }
    }
    char text[400];
    snprintf (text, sizeof (text), cents2 ? "%.2f" : "%.0f", value);
    if (strcmp (text, "-0.00") == 0 || strcmp (text, "-0") == 0)
        snprintf (text, sizeof (text), cents2 ? "0.00" : "0");
    json_literal (self, text);
}

void
json_member_string (json_writer_t *self, const char *key, const char *text)
{
    json_key (self, key);
    json_string (self, text);
}

void
json_member_int (json_writer_t *self, const char *key, long long value)
{
    json_key (self, key);
    json_int (self, value);
}

void
json_member_number (json_writer_t *self, const char *key, double value)
{
    json_key (self, key);
    json_number (self, value);
}

void
json_member_bool (json_writer_t *self, const char *key, bool value)
{
    json_key (self, key);
    json_bool (self, value);
}
