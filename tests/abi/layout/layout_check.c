/*
 * tests/abi/layout/layout_check.c: the frozen ABI 1.0 layout against the
 * current headers and the grown test headers (see abi_layout.c). Prints
 * every difference and fails on any.
 */
#include <stdio.h>
#include <string.h>

#include "abi_layout.h"

ABI_LAYOUT_DECLARE(layout_frozen);
ABI_LAYOUT_DECLARE(layout_current);
ABI_LAYOUT_DECLARE(layout_grown);

static int compare(const char *label, const abi_layout_row *got, size_t got_count)
{
    size_t i;
    int bad = 0;
    if (got_count != layout_frozen_count) {
        printf("%s: %zu rows, frozen 1.0 has %zu\n", label, got_count, layout_frozen_count);
        return 1;
    }
    for (i = 0; i < got_count; ++i) {
        const abi_layout_row *a = &layout_frozen[i], *b = &got[i];
        if (strcmp(a->what, b->what) != 0 || a->offset != b->offset || a->size != b->size) {
            printf("%s: %s is offset/value %zu size %zu; ABI 1.0 has %s at %zu size %zu\n", label, b->what,
                   b->offset, b->size, a->what, a->offset, a->size);
            bad = 1;
        }
    }
    if (!bad)
        printf("%s: all %zu ABI 1.0 fields and constants as frozen\n", label, got_count);
    return bad;
}

int main(void)
{
    int bad = compare("include/hornet", layout_current, layout_current_count);
    bad |= compare("grown test headers", layout_grown, layout_grown_count);
    return bad;
}
