/*  rules_zpl: a ZPL reader of its own, so that rulesets load without
    czmq. It follows zconfig_chunk_load line by line (czmq 4.2): lines
    are cut at 1,024 bytes and trailing white space; the indentation must
    be a multiple of four spaces; a name is made of letters, digits and
    $-_@.&+/ (not starting or ending with '/'); a value follows '=' and
    is quoted with " or ' up to the same quote, or bare up to a '#' with
    the spaces before it removed; anything else after a name or a quoted
    value but a comment is an error; and a node's parent is the last node
    one level up. */
#include "rules_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 1024

struct _rules_zpl_t {
    char *name;         /* the name ("" for the root) */
    char *value;        /* the value, "" when none */
    int line;           /* 1-based line of the definition, 0 root */
    rules_zpl_t *child; /* first child */
    rules_zpl_t *next;  /* next sibling */
};

static rules_zpl_t *
s_node_new (rules_zpl_t *parent, const char *name, size_t name_size,
            const char *value, size_t value_size, int line)
{
    rules_zpl_t *self = calloc (1, sizeof (*self));
    if (!self)
        return NULL;
    self->name = strndup (name, name_size);
    self->value = strndup (value, value_size);
    self->line = line;
    if (!self->name || !self->value) {
        free (self->name);
        free (self->value);
        free (self);
        return NULL;
    }
    if (parent) {
        rules_zpl_t **last = &parent->child;
        while (*last)
            last = &(*last)->next;
        *last = self;
    }
    return self;
}

void
rules__zpl_destroy (rules_zpl_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_zpl_t *self = *self_p;
    while (self->child) {
        rules_zpl_t *child = self->child;
        self->child = child->next;
        child->next = NULL;
        rules__zpl_destroy (&child);
    }
    free (self->name);
    free (self->value);
    free (self);
    *self_p = NULL;
}

static bool
s_is_namechar (char c)
{
    return isalnum ((unsigned char)c) || (c && strchr ("$-_@.&+/", c));
}

/* Only white space, or a comment, may follow. */
static bool
s_rest_is_blank (const char *p)
{
    for (; *p; p++) {
        if (*p == '#')
            return true;
        if (!isspace ((unsigned char)*p))
            return false;
    }
    return true;
}

/* The last node `level` levels below root (zconfig_at_depth). */
static rules_zpl_t *
s_at_depth (rules_zpl_t *root, int level)
{
    rules_zpl_t *node = root;
    while (level-- > 0) {
        if (!node->child)
            return NULL;
        node = node->child;
        while (node->next)
            node = node->next;
    }
    return node;
}

/* One line; returns false with a reason in err. */
static bool
s_parse_line (rules_zpl_t *root, char *line, int lineno, char *err)
{
    size_t length = strlen (line);
    while (length && isspace ((unsigned char)line[length - 1]))
        line[--length] = 0;
    const char *p = line;
    while (*p == ' ')
        p++;
    size_t indent = (size_t)(p - line);
    if (indent % 4) {
        snprintf (err, RULES_ERR_MAX, "indent 4 spaces at once");
        return false;
    }
    const char *name = p;
    while (s_is_namechar (*p))
        p++;
    size_t name_size = (size_t)(p - name);
    if (name_size && (name[0] == '/' || name[name_size - 1] == '/')) {
        snprintf (err, RULES_ERR_MAX, "'/' not valid at name start or end");
        return false;
    }
    if (name_size == 0) {
        if (s_rest_is_blank (p))
            return true;
        snprintf (err, RULES_ERR_MAX, "invalid syntax '%.60s'", p);
        return false;
    }
    while (isspace ((unsigned char)*p))
        p++;
    const char *value = "";
    size_t value_size = 0;
    if (*p == '=') {
        p++;
        while (isspace ((unsigned char)*p))
            p++;
        if (*p == '"' || *p == '\'') {
            const char *end = strchr (p + 1, *p);
            if (!end) {
                snprintf (err, RULES_ERR_MAX, "missing %c", *p);
                return false;
            }
            value = p + 1;
            value_size = (size_t)(end - value);
            if (!s_rest_is_blank (end + 1)) {
                snprintf (err, RULES_ERR_MAX, "invalid syntax '%.60s'",
                          end + 1);
                return false;
            }
        } else {
            value = p;
            const char *comment = strchr (p, '#');
            const char *end = comment ? comment : p + strlen (p);
            while (end > p && isspace ((unsigned char)end[-1]))
                end--;
            value_size = (size_t)(end - p);
        }
    } else if (!s_rest_is_blank (p)) {
        snprintf (err, RULES_ERR_MAX, "invalid syntax '%.60s'", p);
        return false;
    }
    rules_zpl_t *parent = s_at_depth (root, (int)(indent / 4));
    if (!parent) {
        snprintf (err, RULES_ERR_MAX, "indentation error");
        return false;
    }
    if (!s_node_new (parent, name, name_size, value, value_size, lineno)) {
        snprintf (err, RULES_ERR_MAX, "out of memory");
        return false;
    }
    return true;
}

rules_zpl_t *
rules__zpl_load (const char *text, int *line, char *err)
{
    rules_zpl_t *root = s_node_new (NULL, "", 0, "", 0, 0);
    *line = 0;
    if (!root) {
        snprintf (err, RULES_ERR_MAX, "out of memory");
        return NULL;
    }
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr (p, '\n');
        size_t size = eol ? (size_t)(eol - p) : strlen (p);
        char buf[LINE_MAX_BYTES + 1];
        size_t kept = size > LINE_MAX_BYTES ? LINE_MAX_BYTES : size;
        memcpy (buf, p, kept);
        buf[kept] = 0;
        if (!s_parse_line (root, buf, ++lineno, err)) {
            *line = lineno;
            rules__zpl_destroy (&root);
            return NULL;
        }
        p += size + (eol ? 1 : 0);
    }
    return root;
}

rules_zpl_t *
rules__zpl_locate (rules_zpl_t *self, const char *path)
{
    if (*path == '/')
        path++;
    const char *slash = strchr (path, '/');
    size_t length = slash ? (size_t)(slash - path) : strlen (path);
    for (rules_zpl_t *child = self->child; child; child = child->next)
        if (strlen (child->name) == length &&
            memcmp (child->name, path, length) == 0)
            return slash ? rules__zpl_locate (child, slash) : child;
    return NULL;
}

const char *
rules__zpl_get (rules_zpl_t *self, const char *path, const char *fallback)
{
    rules_zpl_t *node = rules__zpl_locate (self, path);
    return node ? node->value : fallback;
}

rules_zpl_t *
rules__zpl_child (rules_zpl_t *self)
{
    return self->child;
}

rules_zpl_t *
rules__zpl_next (rules_zpl_t *self)
{
    return self->next;
}

const char *
rules__zpl_name (rules_zpl_t *self)
{
    return self->name;
}

const char *
rules__zpl_value (rules_zpl_t *self)
{
    return self->value;
}

int
rules__zpl_line (rules_zpl_t *self)
{
    return self->line;
}
