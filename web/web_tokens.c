/*  web_tokens: bearer tokens and their roles (web_internal.h).

    The file has one "TOKEN ROLE" per line; a token is 16 to 256
    characters of letters, digits and -._~+/= (what `openssl rand
    -base64 32` or `-hex 32` prints), so it can travel in a header, a
    cookie or a URL unchanged. A token is looked up by comparing every
    byte of every token, so the time taken does not tell how much of a
    guess was right. */
#include "web_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MIN 16
#define TOKEN_MAX 256

typedef struct {
    char text[TOKEN_MAX + 1]; /* the token */
    size_t size;              /* its length */
    int role;                 /* WEB_READ, WEB_INGEST or WEB_ADMIN */
} s_token_t;

struct _web__tokens_t {
    s_token_t *tokens; /* as read */
    size_t count;      /* how many */
};

void
web__tokens_destroy (web__tokens_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->tokens);
    free (*self_p);
    *self_p = NULL;
}

static int
s_role (const char *name)
{
    return strcmp (name, "read") == 0     ? WEB_READ
           : strcmp (name, "ingest") == 0 ? WEB_INGEST
           : strcmp (name, "admin") == 0  ? WEB_ADMIN
                                          : 0;
}

static bool
s_token_valid (const char *token, size_t size)
{
    if (size < TOKEN_MIN || size > TOKEN_MAX)
        return false;
    return strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789-._~+/=") == size;
}

/* Reads one line into the list. Returns 0, or -1 with a reason. */
static int
s_line (web__tokens_t *self, char *line, const char *path, unsigned number,
        char *err)
{
    char *hash = strchr (line, '#');
    if (hash)
        *hash = 0;
    char *save = NULL;
    char *token = strtok_r (line, " \t\r\n", &save);
    char *role = token ? strtok_r (NULL, " \t\r\n", &save) : NULL;
    char *extra = role ? strtok_r (NULL, " \t\r\n", &save) : NULL;
    if (!token)
        return 0;
    if (!role || extra || !s_role (role)) {
        snprintf (err, 256,
                  "%s:%u: expected \"TOKEN ROLE\", ROLE read, ingest or "
                  "admin",
                  path, number);
        return -1;
    }
    if (!s_token_valid (token, strlen (token))) {
        snprintf (err, 256,
                  "%s:%u: a token is %d to %d characters of letters, digits "
                  "and -._~+/= (openssl rand -hex 32 makes one)",
                  path, number, TOKEN_MIN, TOKEN_MAX);
        return -1;
    }
    s_token_t *grown =
        realloc (self->tokens, (self->count + 1) * sizeof (*grown));
    if (!grown) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    self->tokens = grown;
    s_token_t *t = &self->tokens[self->count++];
    t->size = strlen (token);
    memcpy (t->text, token, t->size + 1);
    t->role = s_role (role);
    return 0;
}

web__tokens_t *
web__tokens_load (const char *path, char *err)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        snprintf (err, 256, "http_tokens: cannot read %s: %s", path,
                  strerror (errno));
        return NULL;
    }
    web__tokens_t *self = calloc (1, sizeof (*self));
    char line[1024];
    unsigned number = 0;
    int rc = self ? 0 : -1;
    if (!self)
        snprintf (err, 256, "out of memory");
    while (rc == 0 && fgets (line, sizeof (line), file)) {
        number++;
        rc = s_line (self, line, path, number, err);
    }
    fclose (file);
    if (rc == 0 && self->count == 0) {
        snprintf (err, 256, "http_tokens: %s holds no token", path);
        rc = -1;
    }
    if (rc != 0)
        web__tokens_destroy (&self);
    return self;
}

int
web__tokens_role (const web__tokens_t *self, const char *token)
{
    size_t size = strnlen (token, TOKEN_MAX + 1);
    int role = 0;
    for (size_t i = 0; i < self->count; i++) {
        const s_token_t *t = &self->tokens[i];
        /* Every byte of every token is compared, whatever matched. */
        unsigned char diff = (unsigned char)(t->size != size);
        for (size_t b = 0; b < t->size; b++)
            diff |= (unsigned char)(t->text[b] ^ (b < size ? token[b] : 0));
        if (!diff)
            role = t->role;
    }
    return role;
}
