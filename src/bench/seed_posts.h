// Fills a fresh blog with posts before the measurement: POST / with the write token over a few
// keep-alive connections at once, so the server's group commit stores them in batches.
#pragma once

#include <string>

#include "base/result.h"
#include "net/tls_context.h"

namespace fourdollar::bench {

struct SeedRequest {
  std::string target;  // "http://127.0.0.1:41234" or https:// (an IP address: no DNS lookups)
  std::string token;   // bearer token; empty sends none
  net::TlsClientOptions tls;  // for an https:// target: the CA to trust, or none verified
  int posts = 1000;
  int connections = 8;     // each on its own thread, one request in flight
  int timeout_ms = 10000;  // per request (send and receive)
};

// Creates `posts` posts (titles "Post N: ...", bodies of a few sentences). Returns the number
// created; an error (with the first refusal's status and body) when any is not answered 303.
// Blocking; safe to call from any thread.
Result<int> SeedPosts(const SeedRequest& request);

}  // namespace fourdollar::bench
