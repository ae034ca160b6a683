/*
 * tests/abi/layout/abi_layout.c: every field and constant of ABI 1.0, as the
 * headers on the include path lay them out.
 *
 * Compiled three times into one program (tests/abi/CMakeLists.txt): against
 * the frozen 1.0 headers (tests/abi/abi_1_0), against include/hornet/ and
 * against the grown test headers, each time with LAYOUT_TABLE naming the
 * array. layout_check.c compares them: a 1.0 field that moved, changed size
 * or vanished, or a constant that changed value, breaks every plugin built
 * against 1.0 and fails the test. Appending is invisible here, as it should
 * be. C99, -pedantic.
 */
#include <hornet/worker.h>

#include "abi_layout.h"

#define FIELD(T, f) { #T "." #f, offsetof(T, f), sizeof(((T *)0)->f) }
#define SIZE(T) { "sizeof " #T, 0, sizeof(T) } /* for structs that never grow */
#define VALUE(c) { #c, (size_t)(long long)(c), 0 }

const abi_layout_row LAYOUT_TABLE[] = {
    VALUE(HORNET_ABI_MAJOR), VALUE(HORNET_MAGIC),
    SIZE(hornet_head_t),
    FIELD(hornet_head_t, struct_size), FIELD(hornet_head_t, abi_major),
    FIELD(hornet_head_t, abi_minor), FIELD(hornet_head_t, magic),
    SIZE(hornet_str_t), FIELD(hornet_str_t, ptr), FIELD(hornet_str_t, len),
    SIZE(hornet_header_t), FIELD(hornet_header_t, name), FIELD(hornet_header_t, value),
    VALUE(HORNET_OK), VALUE(HORNET_ENOENT), VALUE(HORNET_EIO), VALUE(HORNET_EWOULDBLOCK),
    VALUE(HORNET_ENOMEM), VALUE(HORNET_EBUSY), VALUE(HORNET_EINVAL), VALUE(HORNET_ECLOSED),
    VALUE(HORNET_ETOOBIG), VALUE(HORNET_EINTERNAL),

    /* host.h */
    VALUE(HORNET_LOG_DEBUG), VALUE(HORNET_LOG_INFO), VALUE(HORNET_LOG_WARNING),
    VALUE(HORNET_LOG_ERROR), VALUE(HORNET_LOG_CRITICAL),
    VALUE(HORNET_QUERY_THREADS), VALUE(HORNET_QUERY_MULTIPROCESS), VALUE(HORNET_QUERY_ASYNC),
    VALUE(HORNET_QUERY_WORKER_ID), VALUE(HORNET_QUERY_GENERATION),
    FIELD(hornet_host_t, head), FIELD(hornet_host_t, host_data), FIELD(hornet_host_t, log),
    FIELD(hornet_host_t, config_get), FIELD(hornet_host_t, query), FIELD(hornet_host_t, get_extension),

    /* app.h */
    VALUE(HORNET_DONE), VALUE(HORNET_PENDING),
    VALUE(HORNET_APP_THREAD_SAFE), VALUE(HORNET_APP_NONBLOCKING),
    VALUE(HORNET_REQ_CHUNKED), VALUE(HORNET_REQ_EXPECT_CONTINUE), VALUE(HORNET_REQ_KEEP_ALIVE),
    FIELD(hornet_request_t, head), FIELD(hornet_request_t, method), FIELD(hornet_request_t, target),
    FIELD(hornet_request_t, path), FIELD(hornet_request_t, query), FIELD(hornet_request_t, version),
    FIELD(hornet_request_t, scheme), FIELD(hornet_request_t, peer_host), FIELD(hornet_request_t, peer_port),
    FIELD(hornet_request_t, server_host), FIELD(hornet_request_t, server_port),
    FIELD(hornet_request_t, headers), FIELD(hornet_request_t, header_count),
    FIELD(hornet_request_t, content_length), FIELD(hornet_request_t, flags),
    FIELD(hornet_exchange_ops_t, head), FIELD(hornet_exchange_ops_t, request),
    FIELD(hornet_exchange_ops_t, find_header), FIELD(hornet_exchange_ops_t, read),
    FIELD(hornet_exchange_ops_t, read_async), FIELD(hornet_exchange_ops_t, start),
    FIELD(hornet_exchange_ops_t, write), FIELD(hornet_exchange_ops_t, write_async),
    FIELD(hornet_exchange_ops_t, sendfile), FIELD(hornet_exchange_ops_t, finish),
    FIELD(hornet_app_t, head), FIELD(hornet_app_t, name), FIELD(hornet_app_t, version),
    FIELD(hornet_app_t, flags), FIELD(hornet_app_t, create), FIELD(hornet_app_t, destroy),
    FIELD(hornet_app_t, worker_start), FIELD(hornet_app_t, worker_exit), FIELD(hornet_app_t, handle),

    /* worker.h */
    VALUE(HORNET_WORKER_KEEPALIVE), VALUE(HORNET_WORKER_CONCURRENT),
    VALUE(HORNET_STOP_NONE), VALUE(HORNET_STOP_GRACEFUL), VALUE(HORNET_STOP_NOW),
    VALUE(HORNET_COUNT_REQUESTS), VALUE(HORNET_COUNT_CONNECTIONS), VALUE(HORNET_EXIT_BOOT_FAILED),
    FIELD(hornet_limits_t, head), FIELD(hornet_limits_t, threads), FIELD(hornet_limits_t, worker_connections),
    FIELD(hornet_limits_t, keepalive_ms), FIELD(hornet_limits_t, timeout_ms),
    FIELD(hornet_limits_t, graceful_timeout_ms), FIELD(hornet_limits_t, limit_request_line),
    FIELD(hornet_limits_t, limit_request_fields), FIELD(hornet_limits_t, limit_request_field_size),
    FIELD(hornet_limits_t, limit_request_body), FIELD(hornet_limits_t, header_timeout_ms),
    FIELD(hornet_limits_t, body_timeout_ms), FIELD(hornet_limits_t, max_requests),
    FIELD(hornet_access_record_t, head), FIELD(hornet_access_record_t, request),
    FIELD(hornet_access_record_t, request_line), FIELD(hornet_access_record_t, peer_host),
    FIELD(hornet_access_record_t, status), FIELD(hornet_access_record_t, body_bytes),
    FIELD(hornet_access_record_t, response_headers), FIELD(hornet_access_record_t, response_header_count),
    FIELD(hornet_access_record_t, start_unix_us), FIELD(hornet_access_record_t, duration_us),
    FIELD(hornet_worker_ctx_t, head), FIELD(hornet_worker_ctx_t, host), FIELD(hornet_worker_ctx_t, listen_fds),
    FIELD(hornet_worker_ctx_t, listen_count), FIELD(hornet_worker_ctx_t, app),
    FIELD(hornet_worker_ctx_t, app_instance), FIELD(hornet_worker_ctx_t, limits),
    FIELD(hornet_worker_ctx_t, worker_id), FIELD(hornet_worker_ctx_t, stop_fd),
    FIELD(hornet_worker_ctx_t, stop_mode), FIELD(hornet_worker_ctx_t, ready),
    FIELD(hornet_worker_ctx_t, heartbeat), FIELD(hornet_worker_ctx_t, count),
    FIELD(hornet_worker_ctx_t, access_log_enabled), FIELD(hornet_worker_ctx_t, access_log),
    FIELD(hornet_worker_t, head), FIELD(hornet_worker_t, name), FIELD(hornet_worker_t, version),
    FIELD(hornet_worker_t, flags), FIELD(hornet_worker_t, check), FIELD(hornet_worker_t, run),
};

const size_t LAYOUT_COUNT = sizeof LAYOUT_TABLE / sizeof LAYOUT_TABLE[0];
