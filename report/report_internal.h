/*  report_internal: shared by the report module's files. */
#ifndef REPORT_INTERNAL_H_INCLUDED
#define REPORT_INTERNAL_H_INCLUDED

#include "report.h"

/* Bytes a report of 1,000 units takes per unit, so the buffer rarely
   grows. */
#define REPORT_BYTES_PER_UNIT 512

#endif
