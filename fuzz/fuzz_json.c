/*  fuzz_json: the bytes as one event line (docs/events.md).

    proto_event_from_json must answer 0 or -1 with a terminated reason and
    never read past `size` (the bytes are passed as libFuzzer gives them,
    unterminated, so AddressSanitizer sees any over-read). An event it
    accepts must format with proto_event_to_json and read back as the very
    same event: `hotline send` and the daemon's logs rely on that.
*/
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_fail (const char *what, const char *text, const proto_event_t *a,
        const proto_event_t *b)
{
    fprintf (stderr, "fuzz_json: %s\n", what);
    if (text)
        fprintf (stderr, "  formatted: %s\n", text);
    if (a && b)
        fprintf (stderr, "  value: %.17g -> %.17g\n", a->value, b->value);
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char reason[PROTO_ERROR_MAX + 1];
    proto_event_t event;
    int rc = proto_event_from_json ((const char *)data, size, &event, reason);
    if (rc == -1) {
        if (!memchr (reason, '\0', sizeof reason))
            s_fail ("reason not terminated", NULL, NULL, NULL);
        return 0;
    }
    if (rc != 0)
        s_fail ("proto_event_from_json returned neither 0 nor -1", NULL, NULL,
                NULL);
    if (proto_event_validate (&event, reason) != 0)
        s_fail ("accepted event does not validate", NULL, NULL, NULL);

    char *text = proto_event_to_json (&event);
    if (!text)
        s_fail ("proto_event_to_json failed on an accepted event", NULL, NULL,
                NULL);
    //  Both structs are zeroed by proto_event_from_json before it fills
    //  them, so padding compares equal and memcmp is exact.
    proto_event_t again;
    if (proto_event_from_json (text, strlen (text), &again, reason) != 0) {
        fprintf (stderr, "fuzz_json: reason: %s\n", reason);
        s_fail ("formatted event does not read back", text, NULL, NULL);
    }
    if (memcmp (&event, &again, sizeof event) != 0) {
        //  0.0 and -0.0 are the same value with different bits; only a
        //  different value is a finding.
        proto_event_t a = event, b = again;
        if (a.value == b.value)
            a.value = b.value = 0;
        if (memcmp (&a, &b, sizeof a) != 0)
            s_fail ("round trip changed the event", text, &event, &again);
    }
    free (text);
    return 0;
}
