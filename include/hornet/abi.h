/*
 * hornet/abi.h: what every hornet plugin and the host share.
 *
 * hornet loads worker types and applications as shared objects. Only what is
 * declared in include/hornet/ crosses that boundary: C99, plain structs,
 * function pointers and opaque handles. Every struct that crosses opens with
 * a hornet_head_t; fields are only ever appended, so a reader checks
 * HORNET_HAS() before it touches a field newer than ABI 1.0.
 *
 * ABI change log (a minor bump appends; a major bump refuses old plugins):
 *   1.0  2026-11-27  first release: head, host services, app, worker type,
 *                    exchange ops, request view, limits, access record.
 */
#ifndef HORNET_ABI_H
#define HORNET_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HORNET_ABI_MAJOR 1 /* bump: every older plugin is refused          */
#define HORNET_ABI_MINOR 0 /* bump: fields or ops appended; log it above   */
#define HORNET_MAGIC 0x484e5431u /* "HNT1": is this a hornet struct at all? */

#if defined(__GNUC__) || defined(__clang__)
#define HORNET_EXPORT __attribute__((visibility("default")))
#else
#define HORNET_EXPORT
#endif

/* Opens every struct that crosses the boundary. */
typedef struct hornet_head_s {
    uint32_t struct_size; /* sizeof the struct as its writer compiled it */
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t magic; /* HORNET_MAGIC */
} hornet_head_t;

/* For the .head member: { .head = HORNET_HEAD_INIT(hornet_app_t), ... } */
#define HORNET_HEAD_INIT(T) \
    { (uint32_t)sizeof(T), HORNET_ABI_MAJOR, HORNET_ABI_MINOR, HORNET_MAGIC }

/* May the reader touch field F of *p, which may come from an older peer? */
#define HORNET_HAS(p, T, F) \
    ((p)->head.struct_size >= offsetof(T, F) + sizeof(((T *)0)->F))

/* A string view: not NUL-terminated unless documented; lifetime documented
 * where it is handed out. */
typedef struct hornet_str_s {
    const char *ptr;
    size_t len;
} hornet_str_t;

typedef struct hornet_header_s {
    hornet_str_t name;
    hornet_str_t value;
} hornet_header_t;

/* Results at the boundary: 0 is success, failures are negative. */
enum {
    HORNET_OK = 0,
    HORNET_ENOENT = -2,       /* no such key, header, extension        */
    HORNET_EIO = -5,          /* the connection failed                 */
    HORNET_EWOULDBLOCK = -11, /* a blocking call on a loop thread      */
    HORNET_ENOMEM = -12,
    HORNET_EBUSY = -16,       /* one async op of that kind in flight   */
    HORNET_EINVAL = -22,      /* bad argument, or call out of order    */
    HORNET_ECLOSED = -32,     /* peer gone, or exchange already ended  */
    HORNET_ETOOBIG = -27,     /* body larger than the configured limit */
    HORNET_EINTERNAL = -1000  /* a bug in the callee; it logged why    */
};

/* Completion of an async op: bytes (>0), 0 at end of body or for a write that
 * finished, <0 a HORNET_E* code. */
typedef void (*hornet_done_fn)(void *user_data, ptrdiff_t result);

#ifdef __cplusplus
}
#endif

#endif /* HORNET_ABI_H */
