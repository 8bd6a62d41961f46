/*  calendar_json: a small JSON reader that keeps line numbers.

    Calendar files are written by hand or by other tools, and an import
    that is refused must say where the file is wrong; so each value keeps
    the line it starts on. RFC 8259: objects, arrays, strings with every
    escape (surrogate pairs joined), numbers, true, false, null. What the
    calendar cannot use is refused with its line: a string holding NUL
    (\u0000) or invalid UTF-8, nesting deeper than S_DEPTH_MAX. */
#include "calendar_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DEPTH_MAX 32

typedef struct {
    const char *at;  /* next byte */
    const char *end; /* one past the last */
    int line;        /* line of `at` */
    char *err;       /* CALENDAR_ERR_MAX bytes */
    bool failed;     /* an error was written */
} s_reader_t;

static void s_fail (s_reader_t *r, const char *format, ...)
    CALENDAR__PRINTF_LIKE (2, 3);

static void
s_fail (s_reader_t *r, const char *format, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    char why[CALENDAR_ERR_MAX];
    va_list args;
    va_start (args, format);
    vsnprintf (why, sizeof (why), format, args);
    va_end (args);
    snprintf (r->err, CALENDAR_ERR_MAX, "line %d: %s", r->line, why);
}

static void
s_space (s_reader_t *r)
{
    while (r->at < r->end && (*r->at == ' ' || *r->at == '\t' ||
                              *r->at == '\n' || *r->at == '\r')) {
        if (*r->at == '\n')
            r->line++;
        r->at++;
    }
}

/* Appends the UTF-8 form of a code point. */
static size_t
s_utf8 (uint32_t code, char *out)
{
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | (code >> 6));
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | (code >> 12));
        out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code >> 18));
    out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* Reads 4 hex digits after "\u". */
static int
s_hex4 (s_reader_t *r, uint32_t *code)
{
    *code = 0;
    for (int i = 0; i < 4; i++) {
        char c = r->at < r->end ? *r->at++ : 0;
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0) {
            s_fail (r, "\\u must be followed by 4 hex digits");
            return -1;
        }
        *code = *code << 4 | (uint32_t)v;
    }
    return 0;
}

/* One escape after the backslash; writes its bytes to out. */
static size_t
s_escape (s_reader_t *r, char *out)
{
    char c = r->at < r->end ? *r->at++ : 0;
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr (from, c) : NULL;
    if (hit) {
        out[0] = to[hit - from];
        return 1;
    }
    uint32_t code, low;
    if (c != 'u' || s_hex4 (r, &code) != 0) {
        s_fail (r, "bad escape in a string");
        return 0;
    }
    if (code >= 0xD800 && code <= 0xDBFF) {
        if (r->end - r->at < 2 || r->at[0] != '\\' || r->at[1] != 'u') {
            s_fail (r, "a lone surrogate in a string");
            return 0;
        }
        r->at += 2;
        if (s_hex4 (r, &low) != 0 || low < 0xDC00 || low > 0xDFFF) {
            s_fail (r, "a lone surrogate in a string");
            return 0;
        }
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
        s_fail (r, "a lone surrogate in a string");
        return 0;
    }
    if (code == 0) {
        s_fail (r, "a NUL character in a string");
        return 0;
    }
    return s_utf8 (code, out);
}

/* Checks that the raw bytes [p, p + n) are UTF-8 (RFC 3629). */
static bool
s_utf8_valid (const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (!len || n - i < len)
            return false;
        uint32_t code = len == 1 ? c : c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            code = code << 6 | (p[i + k] & 0x3F);
        }
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < least[len] || code > 0x10FFFF ||
            (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* A string after its opening quote, as a malloc'd NUL-terminated text. */
static char *
s_string (s_reader_t *r)
{
    /* The decoded form is never longer than the source up to the
       closing quote (an escaped quote does not close). */
    const char *start = r->at;
    size_t len = 0;
    while (start + len < r->end && start[len] != '"')
        len += start[len] == '\\' && start + len + 1 < r->end ? 2 : 1;
    char *out = malloc (len + 1);
    if (!out) {
        s_fail (r, "out of memory");
        return NULL;
    }
    size_t n = 0;
    while (!r->failed) {
        if (r->at >= r->end) {
            s_fail (r, "a string is not closed");
            break;
        }
        unsigned char c = (unsigned char)*r->at;
        if (c == '"') {
            r->at++;
            break;
        }
        if (c < 0x20) {
            s_fail (r, "a control character in a string");
            break;
        }
        if (c == '\\') {
            r->at++;
            n += s_escape (r, out + n);
            continue;
        }
        const char *run = r->at;
        while (r->at < r->end && *r->at != '"' && *r->at != '\\' &&
               (unsigned char)*r->at >= 0x20)
            r->at++;
        if (!s_utf8_valid ((const unsigned char *)run, (size_t)(r->at - run)))
            s_fail (r, "invalid UTF-8 in a string");
        memcpy (out + n, run, (size_t)(r->at - run));
        n += (size_t)(r->at - run);
    }
    out[n] = 0;
    if (r->failed) {
        free (out);
        return NULL;
    }
    return out;
}

static bool
s_word (s_reader_t *r, const char *word)
{
    size_t n = strlen (word);
    if ((size_t)(r->end - r->at) < n || memcmp (r->at, word, n) != 0)
        return false;
    r->at += n;
    return true;
}

static void
s_number (s_reader_t *r, calendar__node_t *node)
{
    const char *start = r->at;
    if (r->at < r->end && *r->at == '-')
        r->at++;
    bool digits = false;
    while (r->at < r->end && *r->at && strchr ("0123456789.eE+-", *r->at)) {
        if (*r->at >= '0' && *r->at <= '9')
            digits = true;
        r->at++;
    }
    char text[64];
    size_t n = (size_t)(r->at - start);
    char *end = NULL;
    if (digits && n < sizeof (text)) {
        memcpy (text, start, n);
        text[n] = 0;
        node->number = strtod (text, &end);
    }
    if (!end || *end)
        s_fail (r, "not a JSON value");
}

static calendar__node_t *s_value (s_reader_t *r, int depth);

/* The members of an array or object after its bracket, up to `close`. */
static void
s_members (s_reader_t *r, calendar__node_t *node, char close, int depth)
{
    calendar__node_t **tail = &node->child;
    s_space (r);
    if (r->at < r->end && *r->at == close) {
        r->at++;
        return;
    }
    while (!r->failed) {
        char *key = NULL;
        if (close == '}') {
            s_space (r);
            if (r->at >= r->end || *r->at != '"') {
                s_fail (r, "expected a member name in quotes");
                return;
            }
            r->at++;
            if (!(key = s_string (r)))
                return;
            s_space (r);
            if (r->at >= r->end || *r->at != ':') {
                s_fail (r, "expected ':' after \"%.40s\"", key);
                free (key);
                return;
            }
            r->at++;
        }
        calendar__node_t *child = s_value (r, depth + 1);
        if (!child) {
            free (key);
            return;
        }
        child->key = key;
        *tail = child;
        tail = &child->next;
        s_space (r);
        char c = r->at < r->end ? *r->at++ : 0;
        if (c == close)
            return;
        if (c != ',') {
            r->at -= c != 0;
            s_fail (r, "expected ',' or '%c'", close);
        }
    }
}

static calendar__node_t *
s_value (s_reader_t *r, int depth)
{
    s_space (r);
    if (depth > S_DEPTH_MAX) {
        s_fail (r, "nested deeper than %d", S_DEPTH_MAX);
        return NULL;
    }
    calendar__node_t *node = calloc (1, sizeof (*node));
    if (!node) {
        s_fail (r, "out of memory");
        return NULL;
    }
    node->line = r->line;
    char c = r->at < r->end ? *r->at : 0;
    if (c == '{' || c == '[') {
        r->at++;
        node->kind = c == '{' ? CALENDAR__OBJECT : CALENDAR__ARRAY;
        s_members (r, node, c == '{' ? '}' : ']', depth);
    } else if (c == '"') {
        r->at++;
        node->kind = CALENDAR__STRING;
        node->text = s_string (r);
    } else if (s_word (r, "true")) {
        node->kind = CALENDAR__BOOL;
        node->truth = true;
    } else if (s_word (r, "false"))
        node->kind = CALENDAR__BOOL;
    else if (s_word (r, "null"))
        node->kind = CALENDAR__NULL;
    else if (c == '-' || (c >= '0' && c <= '9')) {
        node->kind = CALENDAR__NUMBER;
        s_number (r, node);
    } else
        s_fail (r, c ? "not a JSON value" : "the file ends too early");
    if (r->failed) {
        calendar__json_free (node);
        return NULL;
    }
    return node;
}

calendar__node_t *
calendar__json_parse (const char *text, size_t size, char *err)
{
    s_reader_t r = {text, text + size, 1, err, false};
    /* A UTF-8 byte order mark, as some editors write. */
    if (size >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
        r.at += 3;
    calendar__node_t *root = s_value (&r, 0);
    s_space (&r);
    if (root && r.at < r.end) {
        s_fail (&r, "text after the JSON value");
        calendar__json_free (root);
        root = NULL;
    }
    return root;
}

void
calendar__json_free (calendar__node_t *node)
{
    while (node) {
        calendar__node_t *next = node->next;
        calendar__json_free (node->child);
        free (node->key);
        free (node->text);
        free (node);
        node = next;
    }
}

const calendar__node_t *
calendar__json_get (const calendar__node_t *object, const char *key)
{
    if (!object || object->kind != CALENDAR__OBJECT)
        return NULL;
    const calendar__node_t *found = NULL;
    /* The last of a repeated name wins, as in most readers. */
    for (const calendar__node_t *m = object->child; m; m = m->next)
        if (m->key && strcmp (m->key, key) == 0)
            found = m;
    return found;
}
