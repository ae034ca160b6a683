/*
 * tests/abi/layout/abi_layout_1_1.c: every field and constant ABI 1.1
 * added, as the headers on the include path lay them out (abi_layout.c
 * has 1.0's).
 *
 * Compiled against the frozen 1.1 headers (tests/abi/abi_1_1), against
 * include/hornet/ and against the grown test headers; layout_check.c
 * compares the three (abi.layout_1_1). A 1.1 field that moved, changed size
 * or vanished, a constant that changed value, or an extension id that
 * changed its spelling, breaks every plugin built against 1.1. C99,
 * -pedantic.
 */
#include <hornet/ext.h>
#include <hornet/worker.h>

#include "abi_layout.h"

#define FIELD(T, f) { #T "." #f, offsetof(T, f), sizeof(((T *)0)->f) }
#define VALUE(c) { #c, (size_t)(long long)(c), 0 }
#define ID(c) { #c " = \"" c "\"", 0, 0 } /* the id's spelling is the row's name */

const abi_layout_row LAYOUT_TABLE[] = {
    /* worker.h */
    VALUE(HORNET_WORKER_EVENT_LOOP),
    FIELD(hornet_worker_ctx_t, provide_extension), FIELD(hornet_worker_ctx_t, forwarded_allow_ips),
    FIELD(hornet_worker_ctx_t, secure_scheme_headers), FIELD(hornet_worker_ctx_t, secure_scheme_header_count),
    FIELD(hornet_worker_ctx_t, proxy_protocol), FIELD(hornet_worker_ctx_t, proxy_allow_ips),

    /* ext.h */
    ID(HORNET_EXT_TIMER), ID(HORNET_EXT_LOOP),
    FIELD(hornet_timer_ext_t, head), FIELD(hornet_timer_ext_t, start),
    FIELD(hornet_loop_ext_t, head), FIELD(hornet_loop_ext_t, post),
};

const size_t LAYOUT_COUNT = sizeof LAYOUT_TABLE / sizeof LAYOUT_TABLE[0];
