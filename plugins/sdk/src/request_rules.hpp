// Private to the request codec: the RFC 9112 rules Beast leaves to us.
//
// Beast parses the grammar (tokens, CRLF, control bytes in values); these
// small, allocation-free checks add what it is lenient about or does not
// know: the version (505), the request-target's form, Host, a strict
// Content-Length and Transfer-Encoding, obs-fold. Each returns 0 when the
// bytes are acceptable, else the status to answer. No Beast here.
#pragma once

#include <cstddef>
#include <string_view>

namespace hornet::sdk::rules {

// The version word of a request line ("GET / HTTP/1.1", no CRLF): 0 for
// HTTP/1.0 and HTTP/1.1 (or anything Beast will refuse with a 400), 505 for
// another HTTP/d.d (HTTP/2.0 and its preface, HTTP/1.2, HTTP/0.9).
int version_status(std::string_view request_line);

// origin-form ("/p?q"), absolute-form ("http://h/p"), "*" for OPTIONS,
// authority-form for CONNECT: 0, else 400.
int target_status(std::string_view method, std::string_view target);

// RFC 9112 3.2: uri-host [ ":" port ], possibly empty.
bool is_valid_host(std::string_view value);

// 1*DIGIT, nothing else (no list, no sign, no spaces).
bool is_content_length(std::string_view value);

// 0 for exactly chunked; 501 for codings we do not decode before a final
// chunked; 400 for a final coding that is not chunked, chunked twice, or a
// malformed list, empty elements included (RFC 9112 6.1, 6.3).
int transfer_encoding_status(std::string_view value);

// A TE field value (RFC 9110 10.1.4) that lists "trailers": the client
// takes trailer fields after a chunked body. Lenient: an element it cannot
// parse is skipped, as TE only ever offers.
bool te_lists_trailers(std::string_view value);

// Between a field's colon and its value only SP and HTAB may stand: any
// other byte there (a CRLF) is obs-fold, which Beast would accept.
bool only_ows(const char* first, const char* last);

// A CR not followed by LF, or an LF not preceded by CR, in `s`; `prev` is
// the byte before s (0 at the start of a request). A CR at the very end is
// not yet bare: its LF may come with the next read.
bool has_bare_cr_or_lf(std::string_view s, char prev);


} // namespace hornet::sdk::rules
