/*  cli: the hotline command-line client (docs/commands.md).

    One file per command group; cli_main.c holds the command table, the
    options every command shares and their parsing. Each command has its
    own options and its own help (hotline COMMAND --help), checks them
    before it talks to the daemon, and exits 0 on success, 1 when the
    work failed, 2 on a usage error.

    Thread rules: a command runs on the main thread and returns.
*/
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

#include "config.h"
#include "proto.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#define CLI_EXIT_USAGE 2
/* A command stopped by SIGINT or SIGTERM before it was done (128 + 2,
   as a shell reports a Ctrl-C). */
#define CLI_EXIT_INTERRUPTED 130

/* What every command shares. */
typedef struct {
    const char *command;     /* "report", "units import" (for messages) */
    config_t config;         /* endpoints and settings */
    const char *config_path; /* --config, or NULL */
    const char *endpoint;    /* --endpoint override, or NULL */
    int timeout_ms;          /* --timeout, or -1 when not given */
} cli_t;

/* A command-specific option seen while parsing: its getopt value and
   argument (NULL for a flag). Returns 0, or -1 after printing why the
   value is wrong (a usage error). */
typedef int (cli_option_fn) (void *arg, int option, const char *value);

/* Parses argv (the command's own words and every option) with the
   shared options (--config, --endpoint, --timeout, --help) and the
   command's `options` (may be NULL). Prints the command's help and
   returns 1 for --help; returns -1 after a message for a usage error;
   else 0 with the operands (words that are not options) left in
   argv[*first .. argc). Loads the configuration. */
int cli_parse (cli_t *cli, int argc, char **argv, const struct option *options,
               cli_option_fn *fn, void *arg, const char *help, int *first);

/* The endpoint a command uses: --endpoint, else the configured one. */
const char *cli_endpoint (const cli_t *cli, const char *configured);

/* Sends a query to the daemon's query endpoint and waits up to the
   timeout. Returns 0 and the JSON answer in *json (the caller frees it),
   or 1 after printing "hotline COMMAND: why" (no answer, or the daemon's
   error). */
int cli_query (cli_t *cli, const proto_query_t *query, char **json);
/* cli_query, then prints the answer and a newline: the JSON commands. */
int cli_query_print (cli_t *cli, const proto_query_t *query);

/* Prints "hotline COMMAND: " and the message to stderr. */
void cli_error (const cli_t *cli, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

/* A whole number option in [min, max]; prints a usage error if not. */
int cli_int (const cli_t *cli, const char *name, const char *value, long min,
             long max, long *out);

/*  Text encodings of input files (cli_encoding.c).  */
typedef enum { CLI_UTF8, CLI_GBK } cli_encoding_t;

/* What to tell someone whose file is in another encoding. */
#define CLI_ENCODING_HINT "save it as UTF-8 or pass --encoding gbk"

/* Parses --encoding: utf-8 (utf8) or gbk (gb18030, gb2312). Returns 0,
   or -1 after a usage message. */
int cli_encoding_parse (const cli_t *cli, const char *value,
                        cli_encoding_t *out);

/* Returns text (size bytes in `encoding`) as owned NUL-terminated UTF-8,
   its length in *utf8_size; GBK is converted with iconv (as GB18030).
   NULL when the text is not what encoding says, with the 1-based line of
   the first such bytes in *line, or when memory runs out (*line 0). */
char *cli_text_utf8 (cli_encoding_t encoding, const char *text, size_t size,
                     size_t *utf8_size, unsigned *line);

/* What to say about text that cli_text_utf8 refused: "not GBK text", or
   "not UTF-8 text" with what to do (and that it reads as GBK when it
   does). */
const char *cli_encoding_why (cli_encoding_t encoding, const char *text,
                              size_t size);

/* Reads the rest of file into an owned buffer (not NUL-terminated), its
   length in *size. NULL when it cannot be read or memory runs out. */
char *cli_read_all (FILE *file, size_t *size);

/*  The commands, each run with its own argv (argv[0] the command word).  */
int cli_units (cli_t *cli, int argc, char **argv);
int cli_send (cli_t *cli, int argc, char **argv);
int cli_report (cli_t *cli, int argc, char **argv);
int cli_subscribe (cli_t *cli, int argc, char **argv);
int cli_stats (cli_t *cli, int argc, char **argv);
int cli_alerts (cli_t *cli, int argc, char **argv);
int cli_rejected (cli_t *cli, int argc, char **argv);
int cli_rulesets (cli_t *cli, int argc, char **argv);
int cli_keygen (cli_t *cli, int argc, char **argv);
int cli_replay (cli_t *cli, int argc, char **argv);
int cli_explain (cli_t *cli, int argc, char **argv);
int cli_ticket (cli_t *cli, int argc, char **argv);
int cli_appeals (cli_t *cli, int argc, char **argv);
int cli_publish (cli_t *cli, int argc, char **argv);
int cli_diff (cli_t *cli, int argc, char **argv);
int cli_calendar (cli_t *cli, int argc, char **argv);

#endif
