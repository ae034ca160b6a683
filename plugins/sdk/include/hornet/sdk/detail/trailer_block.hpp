// hornet/sdk/detail/trailer_block.hpp: the trailer fields of one response.
//
// Collects what an app gives to the trailers op (ABI 1.6), checked as the
// head's fields are (a token name, a value without control bytes) and
// refused for the fields that RFC 9110 6.5.1 keeps out of trailers because
// a recipient needs them before the content (framing, routing, the
// connection), and serializes them as the lines that follow the last chunk.
// Transport-independent; one per connection, cleared per request.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "hornet/abi.h"

namespace hornet::sdk {

class TrailerBlock {
public:
    // HORNET_OK, or HORNET_EINVAL with error() saying why; a refused call
    // adds none of its fields.
    int add(std::span<const hornet_header_t> fields);
    void clear() { lines_.clear(); }
    // "Name: value\r\n" for each field so far, in order; empty when none.
    std::string_view bytes() const { return lines_; }
    const std::string& error() const { return error_; }

private:
    int refuse(std::string why);

    std::string lines_;
    std::string error_;
};

} // namespace hornet::sdk
