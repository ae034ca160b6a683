// Tells systemd (Type=notify) what the arbiter is doing: READY=1 once the
// first generation serves, RELOADING=1 / READY=1 around a reload, STOPPING=1.
// A no-op when NOTIFY_SOCKET is not set. Arbiter only.
#pragma once

namespace hornet {

void sd_notify(const char* state);

} // namespace hornet
