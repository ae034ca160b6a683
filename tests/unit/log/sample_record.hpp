// tests/unit/log/sample_record.hpp: the access-log record the format tests
// read: GET /p?q=1 from 10.0.0.7, 200 with 1234 bytes in 1.5 ms, with three
// common request headers (Referer, a User-Agent with a quote and a
// backslash, Basic credentials) and, after them, up to two of the test's own.
#pragma once

#include <cstring>
#include <initializer_list>

#include <hornet/worker.h>

namespace hornet::test {

inline hornet_str_t s(const char* text) { return {text, std::strlen(text)}; }

struct SampleRecord {
    hornet_header_t request_headers[5] = {{s("Referer"), s("http://ref/")},
                                          {s("User-Agent"), s("agent \"x\"\\y")},
                                          {s("Authorization"), s("Basic YWxpY2U6czNjcjN0")}}; // alice:s3cr3t
    hornet_header_t response_headers[1] = {{s("Content-Type"), s("text/html")}};
    hornet_request_t request{};
    hornet_access_record_t record{};

    explicit SampleRecord(std::initializer_list<hornet_header_t> own) {
        size_t n = 3;
        for (const hornet_header_t& h : own)
            if (n < 5) request_headers[n++] = h;
        request.method = s("GET");
        request.target = s("/p?q=1");
        request.path = s("/p");
        request.query = s("q=1");
        request.version = 11;
        request.headers = request_headers;
        request.header_count = n;
        record.request = &request;
        record.request_line = s("GET /p?q=1 HTTP/1.1");
        record.peer_host = s("10.0.0.7");
        record.status = 200;
        record.body_bytes = 1234;
        record.response_headers = response_headers;
        record.response_header_count = 1;
        record.start_unix_us = 1795743600LL * 1000000;
        record.duration_us = 1500;
    }
};

} // namespace hornet::test
