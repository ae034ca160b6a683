// apps/asgi/tls_scope.hpp: the ASGI TLS extension of one request.
//
// scope["extensions"]["tls"] on a TLS connection, from what the request
// view carries (ABI 1.5: tls_protocol, tls_cipher, tls_client_subject,
// tls_client_cert): tls_version and cipher_suite as the ASGI spec's
// integers (0x0304; the IANA suite id, which OpenSSL's cipher table gives
// for the name), client_cert_chain as [the verified client certificate's
// PEM] (the view has no intermediates), client_cert_name its RFC 4514
// subject, client_cert_error None (a certificate that fails verification
// ends the handshake, so no request sees one), server_cert None (the view
// does not say which certificate SNI chose). [asyncio thread, GIL held]
#pragma once

#include "hornet/app.h"
#include "py_ref.hpp"

namespace hornet::asgi {

// True when the request came over TLS: then *out is the new dict, or
// empty with a Python exception set.
bool tls_extension(const hornet_request_t& r, python::PyRef& out);

} // namespace hornet::asgi
