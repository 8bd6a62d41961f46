/*  report_internal: shared by the report module's files. */
#ifndef REPORT_INTERNAL_H_INCLUDED
#define REPORT_INTERNAL_H_INCLUDED

#include "report.h"

/* Bytes a report of 1,000 units takes per unit, so the buffer rarely
   grows. */
#define REPORT_BYTES_PER_UNIT 512

/* Received tickets per channel or category id, sorted by id (strcmp),
   as the breakdown and the overview list them. */
typedef struct {
    char id[PROTO_TOKEN_MAX + 1]; /* channel or category */
    double received;              /* over the report's units */
} report__sum_t;

/* Writes an item's "uses" member: the counters of the ruleset's shown
   counters that the item's formula reads, in their order (empty for a
   manual item). */
void report__item_uses (json_writer_t *json, const rules_ruleset_t *rs,
                        const rules_item_t *item);

/* Writes the "overview" member (docs/report-json.md): the figures a
   bulletin opens with, summed over the units of the report's tables
   (out[u].table >= 0, excluded units included), and the share of each
   category of `categories` (count entries, sorted by id). */
void report__overview (json_writer_t *json, const rules_input_t *in,
                       const rules_output_t *out, size_t units,
                       const report__sum_t *categories, size_t count);

#endif
