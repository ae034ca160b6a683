/* tests/abi/layout/abi_layout.h: one row of the ABI layout tables. */
#ifndef ABI_LAYOUT_H
#define ABI_LAYOUT_H

#include <stddef.h>

typedef struct abi_layout_row {
    const char *what; /* "hornet_app_t.handle", "HORNET_EINVAL", "sizeof hornet_str_t" */
    size_t offset;    /* a field's offset, or a constant's value */
    size_t size;      /* a field's or fixed struct's size; 0 for a constant */
} abi_layout_row;

#define ABI_LAYOUT_DECLARE(name)              \
    extern const abi_layout_row name[];       \
    extern const size_t name##_count

#endif
