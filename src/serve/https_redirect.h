// The one route of the plain-HTTP listener beside an HTTPS one (`serve --listen-plain`): every
// request, whatever its method and path, is sent to the same path over HTTPS.
#pragma once

#include <cstdint>

#include "http/router.h"

namespace fourdollar::serve {

// A 308 (the method and body are kept) with Location https://HOST[:https_port]TARGET, HOST from
// the request's Host header without its port (":443" is left out). A request without a usable
// Host gets 400 naming it.
http::Route HttpsRedirectRoute(uint16_t https_port);

}  // namespace fourdollar::serve
