/*  cli_encoding: the text encodings of the files the commands read.

    Excel and WPS on Chinese Windows save "CSV" in GBK, and so do many
    exports of older systems; hotline speaks UTF-8 only. A command reads
    UTF-8 unless told --encoding gbk, in which case each text is converted
    with iconv (GB18030, the superset of GBK that glibc knows) before it is
    parsed. Text that is not what it claims to be is named by line with
    what to do about it, never guessed at: bytes that happen to decode as
    GBK may be anything else.
*/
#include "cli.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
cli_encoding_parse (const cli_t *cli, const char *value, cli_encoding_t *out)
{
    if (strcasecmp (value, "utf-8") == 0 || strcasecmp (value, "utf8") == 0)
        *out = CLI_UTF8;
    else if (strcasecmp (value, "gbk") == 0 ||
             strcasecmp (value, "gb18030") == 0 ||
             strcasecmp (value, "gb2312") == 0)
        *out = CLI_GBK;
    else {
        cli_error (cli, "--encoding must be utf-8 or gbk, not %s", value);
        return -1;
    }
    return 0;
}

/* The line (from 1) holding byte offset of text. */
static unsigned
s_line_of (const char *text, size_t offset)
{
    unsigned line = 1;
    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

/* The first line that is not UTF-8, or 0 when every line is. */
static unsigned
s_first_bad_utf8 (const char *text, size_t size)
{
    if (proto_utf8_valid (text, size))
        return 0;
    unsigned line = 1;
    const char *start = text, *end = text + size;
    while (start < end) {
        const char *newline = memchr (start, '\n', (size_t)(end - start));
        const char *stop = newline ? newline : end;
        if (!proto_utf8_valid (start, (size_t)(stop - start)))
            return line;
        line++;
        start = stop + 1;
    }
    return line; // not reached: some line was invalid
}

char *
cli_text_utf8 (cli_encoding_t encoding, const char *text, size_t size,
               size_t *utf8_size, unsigned *line)
{
    *line = 0;
    if (encoding == CLI_UTF8 && (*line = s_first_bad_utf8 (text, size)))
        return NULL;
    /* UTF-8 from GB18030 never takes more than 2 bytes per input byte
       (a 2-byte GBK character becomes 3 bytes, a 4-byte one 4). */
    size_t room = 2 * size + 1;
    char *copy = size < SIZE_MAX / 2 ? malloc (room) : NULL;
    if (!copy)
        return NULL;
    if (encoding == CLI_UTF8) {
        memcpy (copy, text, size);
        copy[size] = '\0';
        *utf8_size = size;
        return copy;
    }
    iconv_t cd = iconv_open ("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) {
        free (copy);
        return NULL;
    }
    char *in = (char *)text, *out = copy;
    size_t in_left = size, out_left = room - 1;
    if (iconv (cd, &in, &in_left, &out, &out_left) == (size_t)-1 ||
        in_left > 0) {
        *line = s_line_of (text, (size_t)(in - text));
        free (copy);
        copy = NULL;
    } else {
        *out = '\0';
        *utf8_size = (size_t)(out - copy);
    }
    iconv_close (cd);
    return copy;
}

char *
cli_read_all (FILE *file, size_t *size)
{
    size_t used = 0, room = 4096;
    char *text = malloc (room);
    while (text) {
        used += fread (text + used, 1, room - used, file);
        if (used < room)
            break;
        char *grown = room < SIZE_MAX / 2 ? realloc (text, room * 2) : NULL;
        if (!grown) {
            free (text);
            return NULL;
        }
        text = grown;
        room *= 2;
    }
    if (text && ferror (file)) {
        free (text);
        return NULL;
    }
    *size = used;
    return text;
}

const char *
cli_encoding_why (cli_encoding_t encoding, const char *text, size_t size)
{
    if (encoding == CLI_GBK)
        return "not GBK text";
    size_t converted;
    unsigned line;
    char *gbk = cli_text_utf8 (CLI_GBK, text, size, &converted, &line);
    free (gbk);
    return gbk ? "not UTF-8 text (it reads as GBK, as Excel and WPS save "
                 "text on Chinese Windows): " CLI_ENCODING_HINT
               : "not UTF-8 text: " CLI_ENCODING_HINT;
}
