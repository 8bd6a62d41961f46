/*  store_vector: the bytes of a vector record (store.h, store_add_i32).

    Each value is zig-zag mapped (0, -1, 1, -2... to 0, 1, 2, 3...) and
    written as a little-endian base-128 varint: seven bits a byte, the
    high bit set on every byte but a value's last. Trailing zeros are
    left out, so a record written before a counter was added reads as
    zeros past its end, as fixed-width records did.

    Why: a unit's counters are mostly small numbers. On the 10-million-
    ticket benchmark store an 18-counter record took 72 bytes as int32s
    and 21 as varints (52 against 103 bytes with its key and LMDB's node
    header), so a commit that touches the counters of every unit writes
    half the counter pages it did: 19% fewer bytes an event in all on an
    empty store (docs/architecture.md). */
#include "store.h"

size_t
store_i32_encode (const int32_t *values, size_t n, uint8_t *bytes)
{
    while (n > 0 && values[n - 1] == 0)
        n--;
    size_t size = 0;
    for (size_t i = 0; i < n; i++) {
        /* The shift of the unsigned value: no signed overflow. */
        uint32_t u = (uint32_t)values[i];
        uint32_t z = (u << 1) ^ (uint32_t) - (int32_t)(u >> 31);
        while (z >= 0x80) {
            bytes[size++] = (uint8_t)(z | 0x80);
            z >>= 7;
        }
        bytes[size++] = (uint8_t)z;
    }
    return size;
}

int
store_i32_decode (const void *bytes, size_t size, int32_t *out, size_t n)
{
    const uint8_t *b = bytes;
    size_t at = 0, i = 0;
    for (; i < n && at < size; i++) {
        uint32_t z = 0;
        int shift = 0;
        for (;;) {
            if (at == size || shift > 28)
                goto malformed;
            uint8_t byte = b[at++];
            z |= (uint32_t)(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                break;
            shift += 7;
        }
        out[i] = (int32_t)((z >> 1) ^ (uint32_t) - (int32_t)(z & 1));
    }
    for (size_t j = i; j < n; j++)
        out[j] = 0;
    return 0;
malformed:
    for (size_t j = 0; j < n; j++)
        out[j] = 0;
    return -1;
}
