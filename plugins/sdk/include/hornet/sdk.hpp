// hornet/sdk.hpp: where a worker type's author starts.
//
// The SDK is what the built-in worker types are made of; a third party's
// worker type keeps only its own I/O and calls these for the rest:
//
//   worker_main.hpp   run(ctx) in one line: boot, run, no exception across the ABI
//   listener_set.hpp  the inherited listeners and the stop fd; accept with addresses
//   request_cycle.hpp one request's life without I/O: PROXY header and head
//                     (refusals answered), the request view, access record, count
//   exchange_core.hpp the app contract's rules for one exchange: what handle()'s
//                     result means, when a head or a write may go, body read
//                     steps and client errors, what finish() sends, reuse
//   exchange.hpp      the C ops table apps call, over a C++ Exchange you derive
//   blocking_*.hpp    all of it on blocking sockets, for thread-per-request
//                     worker types: BlockingConnection serves a whole
//                     connection, or the requests already there (a poller)
//   work_queue.hpp    the FIFO between an event thread and a thread pool
//   loop_worker.hpp   an event loop's limits, tick (clock, heartbeat, trim) and
//                     stop phases; client_wait.hpp its connections' deadlines;
//                     loop_call.hpp ops called off the loop, the body read in
//                     flight; loop_exchange.hpp an Exchange for a loop, less
//                     its I/O; blocking_pool.hpp the pool for blocking apps
//   loop_extensions.hpp the timer and loop-post tables an event loop offers
//   app_check.hpp     an event loop's check() of the app: NONBLOCKING or THREAD_SAFE
//   io.hpp, limits.hpp, socket_address.hpp, input_buffer.hpp: the vocabulary
//   websocket/        the WebSocket codec, sans I/O: the handshake's verdict
//                     and a Session that turns bytes into messages and back
//
// An event-loop worker type reads into an InputBuffer, drives a RequestCycle,
// and implements Exchange over an ExchangeCore with its own writes: see
// plugins/async. Pieces under hornet/sdk/detail/ are what these are built
// from; a worker type does not need them. C++20; no header includes Beast.
// The SDK is compiled into the plugin: its C++ API is not part of the ABI.
#pragma once

#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/app_check.hpp"
#include "hornet/sdk/blocking_connection.hpp"
#include "hornet/sdk/blocking_pool.hpp"
#include "hornet/sdk/blocking_exchange.hpp"
#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/client_wait.hpp"
#include "hornet/sdk/connection_state.hpp"
#include "hornet/sdk/exchange.hpp"
#include "hornet/sdk/exchange_core.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/io.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/listener_set.hpp"
#include "hornet/sdk/loop_call.hpp"
#include "hornet/sdk/loop_exchange.hpp"
#include "hornet/sdk/loop_extensions.hpp"
#include "hornet/sdk/loop_worker.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/response_encoder.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/sdk/websocket/handshake.hpp"
#include "hornet/sdk/websocket/session.hpp"
#include "hornet/sdk/wire_buffers.hpp"
#include "hornet/sdk/work_queue.hpp"
#include "hornet/sdk/worker_main.hpp"
#include "hornet/sdk/worker_tick.hpp"
#include "hornet/support/abi_guard.hpp"
#include "hornet/support/log.hpp"
