/*  format_grid: the aligned text grids of the terminal table.

    A grid holds owned cell strings in row-major order, row 0 the header.
    Widths are measured in terminal columns (format_display_width), so CJK
    names line up. A grid wider than the terminal is fitted in two ways:
    a cell wider than its share is cut with an ellipsis, and the columns
    are split into panels written one under the other, each repeating the
    key columns (rank and unit) so every line still names its unit.
*/
#include "format_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Spaces between two table columns. */
#define S_GAP 2

/* The narrowest a cut cell becomes: a few characters and the ellipsis. */
#define S_CUT_MIN 8

format__grid_t *
format__grid_new (size_t rows, size_t cols)
{
    if (cols == 0 || rows > SIZE_MAX / sizeof (char *) / cols)
        return NULL;
    format__grid_t *grid = calloc (1, sizeof *grid);
    if (!grid)
        return NULL;
    grid->rows = rows;
    grid->cols = cols;
    grid->rule = true;
    grid->keys = 1;
    grid->cells = calloc (rows * cols, sizeof (char *));
    grid->right = calloc (cols, sizeof (bool));
    if (!grid->cells || !grid->right) {
        free (grid->cells);
        free (grid->right);
        free (grid);
        return NULL;
    }
    return grid;
}

void
format__grid_destroy (format__grid_t **grid_p)
{
    format__grid_t *grid = *grid_p;
    if (!grid)
        return;
    for (size_t i = 0; i < grid->count; i++)
        free (grid->cells[i]);
    free (grid->cells);
    free (grid->right);
    free (grid);
    *grid_p = NULL;
}

void
format__grid_numbers_but (format__grid_t *grid, size_t text_col)
{
    for (size_t col = 0; col < grid->cols; col++)
        grid->right[col] = col != text_col;
}

void
format__copy_clean (char *dest, const char *text)
{
    const unsigned char *in = (const unsigned char *)text;
    while (*in) {
        if (*in < 0x20 || *in == 0x7F) {
            *dest++ = ' ';
            in++;
        } else if (in[0] == 0xC2 && in[1] >= 0x80 && in[1] <= 0x9F) {
            *dest++ = ' ';
            in += 2;
        } else
            *dest++ = (char)*in++;
    }
    *dest = '\0';
}

int
format__grid_add2 (format__grid_t *grid, const char *text, const char *suffix)
{
    if (grid->count >= grid->rows * grid->cols)
        return -1;
    size_t length = strlen (text);
    char *cell = malloc (length + strlen (suffix) + 1);
    if (!cell)
        return -1;
    format__copy_clean (cell, text);
    format__copy_clean (cell + strlen (cell), suffix);
    grid->cells[grid->count++] = cell;
    return 0;
}

int
format__grid_add (format__grid_t *grid, const char *text)
{
    return format__grid_add2 (grid, text, "");
}

//  --------------------------------------------------------------------------
//  Writing

static void
s_write_spaces (FILE *out, size_t count)
{
    while (count--)
        fputc (' ', out);
}

/* Writes at most `limit` display columns of cell, ending in an ellipsis
   when it had to be cut. Returns the columns written. */
static size_t
s_write_cut (FILE *out, const char *cell, size_t limit)
{
    size_t width = format_display_width (cell);
    if (width <= limit) {
        fputs (cell, out);
        return width;
    }
    const unsigned char *at = (const unsigned char *)cell;
    size_t used = 0;
    while (*at) {
        uint32_t cp;
        size_t bytes = format__decode_utf8 (at, &cp);
        char one[5] = "";
        memcpy (one, at, bytes < 4 ? bytes : 4);
        size_t w = format_display_width (one);
        if (used + w + 1 > limit)
            break;
        fwrite (at, 1, bytes, out);
        used += w;
        at += bytes;
    }
    fputs ("\xE2\x80\xA6", out);
    return used + 1;
}

/* Writes rows of the columns in cols[0..count), a rule under the header.
   Padding is held back until something visible follows it, so no line
   ends in spaces. */
static void
s_write_panel (const format__grid_t *grid, const size_t *widths,
               const size_t *cols, size_t count, FILE *out)
{
    size_t total = 0;
    for (size_t k = 0; k < count; k++)
        total += widths[cols[k]] + (k ? S_GAP : 0);
    for (size_t row = 0; row < grid->rows; row++) {
        size_t pending = 0;
        for (size_t k = 0; k < count; k++) {
            size_t col = cols[k];
            const char *cell = grid->cells[row * grid->cols + col];
            size_t width = format_display_width (cell);
            width = width > widths[col] ? widths[col] : width;
            size_t pad = widths[col] - width;
            if (k)
                pending += S_GAP;
            if (grid->right[col])
                pending += pad;
            if (*cell) {
                s_write_spaces (out, pending);
                s_write_cut (out, cell, widths[col]);
                pending = 0;
            }
            if (!grid->right[col])
                pending += pad;
        }
        fputc ('\n', out);
        if (row == 0 && grid->rule) {
            for (size_t i = 0; i < total; i++)
                fputc ('-', out);
            fputc ('\n', out);
        }
    }
}

/* Cuts columns so that the keys take at most half the width and any
   other column fits beside them. */
static void
s_fit_widths (const format__grid_t *grid, size_t *widths, size_t width)
{
    size_t keys = grid->keys < grid->cols ? grid->keys : 0;
    size_t key_width = 0;
    for (size_t col = 0; col < keys; col++)
        key_width += widths[col] + S_GAP;
    for (size_t col = 0; col < keys && key_width > width / 2; col++) {
        if (grid->right[col] || widths[col] <= S_CUT_MIN)
            continue;
        size_t over = key_width - width / 2;
        size_t can = widths[col] - S_CUT_MIN;
        size_t cut = over < can ? over : can;
        widths[col] -= cut;
        key_width -= cut;
    }
    size_t room = width > key_width + S_CUT_MIN ? width - key_width : S_CUT_MIN;
    for (size_t col = keys; col < grid->cols; col++)
        if (widths[col] > room)
            widths[col] = room;
}

int
format__grid_write (const format__grid_t *grid, FILE *out, size_t width)
{
    size_t *widths = calloc (grid->cols, sizeof (size_t));
    size_t *cols = calloc (grid->cols, sizeof (size_t));
    if (!widths || !cols) {
        free (widths);
        free (cols);
        return -1;
    }
    size_t total = 0;
    for (size_t col = 0; col < grid->cols; col++) {
        for (size_t row = 0; row < grid->rows; row++) {
            size_t w =
                format_display_width (grid->cells[row * grid->cols + col]);
            if (w > widths[col])
                widths[col] = w;
        }
        total += widths[col] + (col ? S_GAP : 0);
    }
    if (width == 0 || total <= width) {
        for (size_t col = 0; col < grid->cols; col++)
            cols[col] = col;
        s_write_panel (grid, widths, cols, grid->cols, out);
        goto done;
    }
    s_fit_widths (grid, widths, width);
    size_t keys = grid->keys < grid->cols ? grid->keys : 0;
    size_t key_width = 0;
    for (size_t col = 0; col < keys; col++) {
        cols[col] = col;
        key_width += widths[col] + (col ? S_GAP : 0);
    }
    /* Panels: the keys, then as many further columns as fit; at least
       one each, so a panel always moves on. */
    for (size_t next = keys; next < grid->cols;) {
        size_t count = keys, used = key_width;
        while (next < grid->cols) {
            size_t need = widths[next] + (count ? S_GAP : 0);
            if (count > keys && used + need > width)
                break;
            cols[count++] = next++;
            used += need;
        }
        if (cols[keys] != keys)
            fputc ('\n', out); // a blank line between two panels
        s_write_panel (grid, widths, cols, count, out);
    }
done:
    free (widths);
    free (cols);
    return 0;
}
