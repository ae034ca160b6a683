// The codecs of the TLS settings that no generic codec fits: cert_reqs
// (Gunicorn's names and its ssl module's numbers) and the `certificates`
// list of SNI certificates (YAML only). The settings table uses them.
#pragma once

#include "config/setting.hpp"

namespace hornet {

// none / optional / required, or Gunicorn's 0 / 1 / 2 (ssl.CERT_*).
Codec cert_reqs_field(std::string Config::*field);

// A YAML list of maps {server_name, certfile, keyfile}.
Codec certificates_field(std::vector<TlsCertificate> Config::*field);

} // namespace hornet
