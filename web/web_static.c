/*  web_static: the dashboard's files (web/static/), compiled into the
    daemon by cmake/embed_assets.cmake with Debian's Chart.js
    (libjs-chart.js), so the daemon serves them without reading the disk
    and a deployed daemon needs no web files beside it.

    Every page address (/, /unit/J04, /ticket/T1) is the same page: its
    script reads the address and shows that view, so each view can be
    bookmarked. /?view=print is the bulletin, rendered here by format_html
    (format.h). */
#include "web_internal.h"

#include <string.h>

static const web__asset_t *
s_find (const char *name)
{
    for (const web__asset_t *a = web__assets; a->name; a++)
        if (strcmp (a->name, name) == 0)
            return a;
    return NULL;
}

static const char *
s_type (const char *name)
{
    const char *dot = strrchr (name, '.');
    return !dot                         ? "application/octet-stream"
           : strcmp (dot, ".html") == 0 ? "text/html; charset=utf-8"
           : strcmp (dot, ".js") == 0   ? "text/javascript; charset=utf-8"
           : strcmp (dot, ".css") == 0  ? "text/css; charset=utf-8"
                                        : "application/octet-stream";
}

/* Answers with an embedded file, not copied. `cookie`: a Set-Cookie
   value, or NULL. */
static enum MHD_Result
s_send (web__request_t *r, const web__asset_t *a, const char *cookie)
{
    struct MHD_Response *response = MHD_create_response_from_buffer (
        a->size, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             s_type (a->name));
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             "no-cache");
    if (cookie)
        MHD_add_response_header (response, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    enum MHD_Result rc =
        MHD_queue_response (r->connection, MHD_HTTP_OK, response);
    MHD_destroy_response (response);
    r->answered = true;
    return rc;
}

enum MHD_Result
web__page (web__request_t *r)
{
    /* The print view is the bulletin as the command line renders it
       (hotline report --format html), not the page's own drawing. */
    const char *view = web__arg (r, "view");
    if (strcmp (r->url, "/") == 0 && view && strcmp (view, "print") == 0)
        return web__bulletin (r);
    const web__asset_t *page = s_find ("index.html");
    if (!page)
        return web__error (r, MHD_HTTP_NOT_FOUND, "no dashboard in this build");
    /* Opened as /?token=T: the token becomes a cookie, so the page's
       requests and its EventSource (which cannot send headers) carry
       it. The request may have passed the access check with another
       token (a header, a cookie): T is set only when it is itself a
       token that may read the page. */
    const char *token = web__arg (r, "token");
    bool set = token && r->web->tokens && strlen (token) < 300 &&
               (web__tokens_role (r->web->tokens, token) &
                (WEB_READ | WEB_ADMIN)) != 0;
    char cookie[400];
    if (set)
        snprintf (cookie, sizeof (cookie),
                  "hotline_token=%s; Path=/; HttpOnly; SameSite=Strict", token);
    return s_send (r, page, set ? cookie : NULL);
}

enum MHD_Result
web__asset (web__request_t *r)
{
    const web__asset_t *a = s_find (r->url + strlen ("/static/"));
    if (!a || strcmp (a->name, "index.html") == 0)
        return web__error (r, MHD_HTTP_NOT_FOUND, "no such file: %s", r->url);
    return s_send (r, a, NULL);
}
