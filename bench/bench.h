/*  bench: the parts of hotline-bench, one per measurement. Each takes
    its own options (--help lists them) and prints its table. */
#ifndef BENCH_H_INCLUDED
#define BENCH_H_INCLUDED

/* Durable ingest against raw ZeroMQ and SQLite, acknowledgement latency,
   replay, memory and store size (bench_ingest.c). */
int bench_ingest_main (int argc, char *argv[]);

/* Month-end report time by units and by events (bench_report.c). */
int bench_report_main (int argc, char *argv[]);

/* What a stalled subscriber costs, and acknowledgement -> published score
   latency (bench_live.c). */
int bench_live_main (int argc, char *argv[]);

/* HTTP ingest beside ZeroMQ ingest; a live HTTP client that never reads
   (bench_web.c). */
int bench_web_main (int argc, char *argv[]);

/* A report as of an earlier moment against the live report, and the
   latency of other queries while one is built (bench_asof.c). */
int bench_asof_main (int argc, char *argv[]);

#endif
