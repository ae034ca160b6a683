/*
 * tests/abi/layout/layout_check.c: the frozen ABI layouts against the
 * current headers and the grown test headers (see abi_layout.c and
 * abi_layout_1_1.c). `abi_layout_check 1.0` checks every 1.0 field and
 * constant; `abi_layout_check 1.1` checks what 1.1 added, and that the
 * frozen 1.1 copy agrees with the frozen 1.0 copy on everything of 1.0.
 * Prints every difference and fails on any.
 */
#include <stdio.h>
#include <string.h>

#include "abi_layout.h"

ABI_LAYOUT_DECLARE(layout_frozen);
ABI_LAYOUT_DECLARE(layout_current);
ABI_LAYOUT_DECLARE(layout_grown);
ABI_LAYOUT_DECLARE(layout_frozen_1_1_as_1_0);
ABI_LAYOUT_DECLARE(layout11_frozen);
ABI_LAYOUT_DECLARE(layout11_current);
ABI_LAYOUT_DECLARE(layout11_grown);

typedef struct table {
    const char *label;
    const abi_layout_row *rows;
    size_t count;
} table;

#define TABLE(label, name) { label, name, name##_count }

static int compare(const table *frozen, const table *got)
{
    size_t i;
    int bad = 0;
    if (got->count != frozen->count) {
        printf("%s: %zu rows, %s has %zu\n", got->label, got->count, frozen->label, frozen->count);
        return 1;
    }
    for (i = 0; i < got->count; ++i) {
        const abi_layout_row *a = &frozen->rows[i], *b = &got->rows[i];
        if (strcmp(a->what, b->what) != 0 || a->offset != b->offset || a->size != b->size) {
            printf("%s: %s is offset/value %zu size %zu; %s has %s at %zu size %zu\n", got->label, b->what,
                   b->offset, b->size, frozen->label, a->what, a->offset, a->size);
            bad = 1;
        }
    }
    if (!bad)
        printf("%s: all %zu fields and constants of %s as frozen\n", got->label, got->count, frozen->label);
    return bad;
}

static int check_1_0(void)
{
    const table frozen = TABLE("ABI 1.0", layout_frozen);
    const table current = TABLE("include/hornet", layout_current);
    const table grown = TABLE("grown test headers", layout_grown);
    return compare(&frozen, &current) | compare(&frozen, &grown);
}

static int check_1_1(void)
{
    const table frozen_1_0 = TABLE("ABI 1.0", layout_frozen);
    const table copy_1_1 = TABLE("frozen 1.1 headers", layout_frozen_1_1_as_1_0);
    const table frozen = TABLE("ABI 1.1's additions", layout11_frozen);
    const table current = TABLE("include/hornet", layout11_current);
    const table grown = TABLE("grown test headers", layout11_grown);
    return compare(&frozen_1_0, &copy_1_1) | compare(&frozen, &current) | compare(&frozen, &grown);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "1.0") == 0)
        return check_1_0();
    if (argc == 2 && strcmp(argv[1], "1.1") == 0)
        return check_1_1();
    fprintf(stderr, "usage: abi_layout_check 1.0|1.1\n");
    return 2;
}
