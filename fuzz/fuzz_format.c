/*  fuzz_format: the bytes as report JSON for every formatter (format.h).

    `hotline report` and the web dashboard's print view hand the report
    JSON to the formatters; a report from a newer (or broken) daemon must
    be refused with a reason, never crash them. The bytes, made a C string
    (an embedded NUL ends it), go to format_table (and fitted to 40 and
    100 columns), format_csv, format_csv_excel, format_html, and as an
    explain or ticket answer to format_explain_table and
    format_ticket_table, each writing to a memory stream.

    Checked: each answers 0 or -1 with a terminated message; the report
    formatters all accept or all refuse a document; a refused report
    writes nothing. format_xlsx then writes each accepted report into a
    workbook in /dev/shm (else /tmp); it may refuse only a value a
    worksheet cannot hold, and then leaves no file. The workbook costs a
    zip per accepted report (about 350 runs a second instead of 850, for
    a quarter more coverage); HOTLINE_FUZZ_XLSX=0 leaves it out.
*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "format.h"
#include "format_xlsx.h"
#include "fuzz_check.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef int (s_format_fn) (const char *json, FILE *out, char *err);

/* The workbook path; empty when xlsx is left out. */
static char s_xlsx_path[64];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *xlsx = getenv ("HOTLINE_FUZZ_XLSX");
    if (!xlsx || strcmp (xlsx, "0") != 0) {
        const char *dir = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf (s_xlsx_path, sizeof s_xlsx_path, "%s/fuzz_format-%ld.xlsx",
                  dir, (long)getpid ());
    }
    return 0;
}

/* Runs one formatter into a memory stream. Returns its answer; a refusal
   must leave the stream empty when `untouched` is set. */
static int
s_run (s_format_fn *format, const char *json, bool untouched)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    FUZZ_CHECK (out != NULL);
    char err[FORMAT_ERR_MAX];
    memset (err, 'x', sizeof err);
    int rc = format (json, out, err);
    FUZZ_CHECK (fclose (out) == 0);
    FUZZ_CHECK (rc == 0 || rc == -1);
    if (rc == -1) {
        FUZZ_CHECK (memchr (err, '\0', sizeof err) != NULL && err[0] != '\0');
        FUZZ_CHECK (!untouched || size == 0);
    }
    free (text);
    return rc;
}

static int
s_table_40 (const char *json, FILE *out, char *err)
{
    return format_table_fit (json, out, 40, err);
}

static int
s_table_100 (const char *json, FILE *out, char *err)
{
    return format_table_fit (json, out, 100, err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *json = fuzz_cstring (data, size);
    if (!json)
        return 0;

    static s_format_fn *const reports[] = {
        format_table, s_table_40,       s_table_100,
        format_csv,   format_csv_excel, format_html,
    };
    int first = s_run (reports[0], json, true);
    for (size_t i = 1; i < sizeof reports / sizeof reports[0]; i++)
        FUZZ_CHECK (s_run (reports[i], json, true) == first);
    s_run (format_explain_table, json, false);
    s_run (format_ticket_table, json, false);

    if (first == 0 && s_xlsx_path[0]) {
        char err[FORMAT_ERR_MAX];
        memset (err, 'x', sizeof err);
        int rc = format_xlsx (json, s_xlsx_path, err);
        FUZZ_CHECK (rc == 0 || rc == -1);
        //  -1 here only for a value a worksheet cannot hold (a text
        //  over 32767 characters), and then no file is left behind.
        if (rc == -1)
            FUZZ_CHECK (memchr (err, '\0', sizeof err) != NULL &&
                        access (s_xlsx_path, F_OK) != 0);
        unlink (s_xlsx_path);
    }
    free (json);
    return 0;
}
