/*
 * hornet/host.h: the services the host hands to every plugin.
 *
 * A const hornet_host_t is passed to an app's create() and sits in a worker's
 * context. Plugins never link against the hornet binary: everything they may
 * ask of the host goes through this table. Optional services (timers, posting
 * to a worker's loop, metrics) are reached with get_extension() by an id that
 * carries its own version ("hornet.timer/1"), so a new service needs only a
 * minor ABI bump. The table is owned by the host, never written by plugins,
 * and valid until the plugin is unloaded (for an app: until after destroy()
 * returns; for a worker type: until run() returns). Every call may be made
 * in the arbiter too (an app created there with preload_app).
 */
#ifndef HORNET_HOST_H
#define HORNET_HOST_H

#include "hornet/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    HORNET_LOG_DEBUG = 1,
    HORNET_LOG_INFO = 2,
    HORNET_LOG_WARNING = 3,
    HORNET_LOG_ERROR = 4,
    HORNET_LOG_CRITICAL = 5
};

/* What query() can answer. */
enum {
    HORNET_QUERY_THREADS = 1,        /* handler threads per process (>= 1)  */
    HORNET_QUERY_MULTIPROCESS = 2,   /* 1 if more than one worker process   */
    HORNET_QUERY_ASYNC = 3,          /* 1 if the worker type is event-driven */
    HORNET_QUERY_WORKER_ID = 4,      /* this worker's slot, 0 in the arbiter */
    HORNET_QUERY_GENERATION = 5      /* reload generation, from 1            */
};

typedef struct hornet_host_s {
    hornet_head_t head;
    void *host_data; /* the host's own; plugins leave it alone */

    /* [any thread] One log line into hornet's error log; msg need not be
     * NUL-terminated and is copied before the call returns. */
    void (*log)(const struct hornet_host_s *host, int level, hornet_str_t msg);

    /* [any thread] A scalar of the app's `app_config` map. key is a
     * NUL-terminated path with '.' between map keys ("db.host"). On success
     * *out is a NUL-terminated view valid until the plugin is unloaded.
     * Returns HORNET_OK, HORNET_ENOENT (absent) or HORNET_EINVAL (not a
     * scalar). */
    int (*config_get)(const struct hornet_host_s *host, const char *key,
                      hornet_str_t *out);

    /* [any thread] Facts about the process the plugin runs in. */
    int64_t (*query)(const struct hornet_host_s *host, int what);

    /* [any thread] An optional service table by versioned id
     * ("hornet.timer/1"), or NULL when this host has none: plugins must cope
     * with NULL. The table is host-owned and valid as long as the host
     * table. ABI 1.0 defines no ids; each new one is logged in abi.h.
     * ABI 1.1: "hornet.timer/1" and "hornet.loop/1" (hornet/ext.h), in a
     * worker process whose worker type offers them (async), from its first
     * request on: look them up in handle(), not in create(). */
    const void *(*get_extension)(const struct hornet_host_s *host,
                                 const char *id);
    /* ABI 1.2: append below, never above. */
} hornet_host_t;

#ifdef __cplusplus
}
#endif

#endif /* HORNET_HOST_H */
