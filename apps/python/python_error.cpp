// The bridge's label; see python_error.hpp.
#include "python_error.hpp"

namespace hornet::python {
namespace {

std::string& label() {
    static std::string l = "wsgi";
    return l;
}

} // namespace

void set_app_label(const char* l) { label() = l; }
const std::string& app_label() { return label(); }

} // namespace hornet::python
