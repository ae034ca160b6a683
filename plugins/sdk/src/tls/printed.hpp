// What an OpenSSL printer (ASN1_TIME_print, X509_NAME_print_ex,
// PEM_write_bio_X509, ...) writes, as a string: the one memory-BIO dance
// of the TLS code. Private to the SDK's TLS code.
#pragma once

#include <string>

#include <openssl/bio.h>

namespace hornet::sdk::tls {

template <class Print>
std::string printed(Print&& print) {
    BIO* b = BIO_new(BIO_s_mem());
    if (!b) return {};
    print(b);
    char* p = nullptr;
    const long n = BIO_get_mem_data(b, &p);
    std::string out(p ? p : "", n > 0 ? static_cast<size_t>(n) : 0);
    BIO_free(b);
    return out;
}

} // namespace hornet::sdk::tls
