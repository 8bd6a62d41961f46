/*  rules_counters: the counters' names (docs/scoring.md). */
#include "rules.h"

#include <stdio.h>
#include <string.h>

static const char *s_counter_names[RULES_COUNTERS] = {"received",
                                                      "signed_late",
                                                      "contacted_late",
                                                      "returned",
                                                      "returned_late",
                                                      "extended",
                                                      "closed",
                                                      "closed_on_time",
                                                      "overdue_open",
                                                      "alerts",
                                                      "revisited",
                                                      "unsatisfied",
                                                      "unresolved",
                                                      "rework",
                                                      "first_time_closed",
                                                      "key_closed_late",
                                                      "repeat_closed_late",
                                                      "days_late",
                                                      "should_close",
                                                      "closed_late"};

const char *
rules_counter_name (int counter)
{
    return counter >= 0 && counter < RULES_COUNTERS ? s_counter_names[counter]
                                                    : "?";
}

int
rules_counter_lookup (const char *name)
{
    for (int c = 0; c < RULES_COUNTERS; c++)
        if (strcmp (s_counter_names[c], name) == 0)
            return c;
    return -1;
}

void
rules_counters_derive (double *counters)
{
    counters[RULES_SHOULD_CLOSE] =
        counters[RULES_CLOSED] + counters[RULES_OVERDUE_OPEN];
    counters[RULES_CLOSED_LATE] =
        counters[RULES_CLOSED] - counters[RULES_CLOSED_ON_TIME];
}
