// The fourdollar command line: parses flags (and their FOURDOLLAR_* environment variables) into
// an immutable config and hands it to the command.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "base/open_files.h"
#include "cli/bench_command.h"
#include "cli/load_command.h"
#include "cli/report_command.h"
#include "cli/serve_command.h"
#include "net/event_loop.h"

namespace {

// The commands that run event loops take SIGTERM and SIGINT themselves (sigwait,
// sigtimedwait), so both are blocked here, before any thread starts: threads inherit the mask. A
// peer's reset is an error from send, not SIGPIPE. Connections need file descriptors: returns
// the raised open-file limit (0 when unknown). `report` keeps the default dispositions, so
// Ctrl-C ends it.
uint64_t SetUpProcessForLoops() {
  fourdollar::net::BlockSignals({SIGTERM, SIGINT});
  ::signal(SIGPIPE, SIG_IGN);
  return fourdollar::RaiseOpenFileLimit();
}

void AddServeCommand(CLI::App& app, fourdollar::cli::ServeConfig& config, bool& token_flag_given) {
  CLI::App* serve = app.add_subcommand("serve", "Run the blog server");
  fourdollar::cli::AddIoBackendOption(*serve, config.io_backend);
  serve
      ->add_option("--listen", config.server.listen,
                   "Address to listen on, HOST:PORT (port 0: any free port)")
      ->envname("FOURDOLLAR_LISTEN")
      ->capture_default_str();
  serve
      ->add_option("--db", config.server.db,
                   "Store: sqlite:PATH or postgres://user:pass@host:port/db")
      ->envname("FOURDOLLAR_DB")
      ->capture_default_str();
  serve
      ->add_option("--threads", config.server.threads,
                   "Event-loop threads (default: the CPUs this process may use: its affinity, no "
                   "more than its cgroup CPU quota)")
      ->envname("FOURDOLLAR_THREADS")
      ->check(CLI::Range(1, 1024));
  serve
      ->add_option("--templates", config.server.templates_dir,
                   "Folder of Mustache templates overriding the built-in ones")
      ->envname("FOURDOLLAR_TEMPLATES")
      ->check(CLI::ExistingDirectory);
  serve
      ->add_option("--write-token", config.server.write_token,
                   "Bearer token that POST / requires (also FOURDOLLAR_WRITE_TOKEN; default: "
                   "generated in the data folder)")
      ->each([&token_flag_given](const std::string&) { token_flag_given = true; });
  serve
      ->add_flag("--open-writes", config.server.open_writes,
                 "Let anyone post, without a token (not recommended)")
      ->envname("FOURDOLLAR_OPEN_WRITES");
  serve->add_option("--cache-mb", config.server.cache_mb, "Memory for cached pages, in MiB")
      ->envname("FOURDOLLAR_CACHE_MB")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_option("--pg-read-timeout-ms", config.server.pg_read_timeout_ms,
                   "PostgreSQL: a read not answered this soon fails with 503 (a database that "
                   "hangs stalls no visitor for longer)")
      ->envname("FOURDOLLAR_PG_READ_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{600'000}));
  serve
      ->add_option("--request-timeout-ms", config.server.limits.request_timeout_ms,
                   "Deadline for a request to arrive in full, from its first byte")
      ->envname("FOURDOLLAR_REQUEST_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  serve
      ->add_option("--idle-timeout-ms", config.server.limits.idle_timeout_ms,
                   "Keep-alive connections idle this long are closed")
      ->envname("FOURDOLLAR_IDLE_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  serve
      ->add_option("--max-connections", config.server.limits.max_connections,
                   "Open client connections at most; past it the longest idle one makes room "
                   "once idle 1 s, and new ones wait in the listen backlog until then")
      ->envname("FOURDOLLAR_MAX_CONNECTIONS")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  serve
      ->add_option("--ready-file", config.ready_file,
                   "Once listening, write what the ready line says as one JSON object to this "
                   "file (atomically: a temporary file, then a rename)")
      ->envname("FOURDOLLAR_READY_FILE");
  serve
      ->add_option("--tls-cert", config.server.tls_cert,
                   "Serve HTTPS with this PEM certificate (followed by its chain); SIGHUP reads "
                   "it again")
      ->envname("FOURDOLLAR_TLS_CERT");
  serve
      ->add_option("--tls-key", config.server.tls_key,
                   "The PEM private key (ECDSA or RSA) of --tls-cert")
      ->envname("FOURDOLLAR_TLS_KEY");
  serve
      ->add_option("--listen-plain", config.server.listen_plain,
                   "With TLS: also listen on this HOST:PORT for plain HTTP, answering every "
                   "request with a redirect (308) to the same path over HTTPS")
      ->envname("FOURDOLLAR_LISTEN_PLAIN");
  serve
      ->add_flag("--hsts", config.server.hsts,
                 "With TLS: send Strict-Transport-Security (max-age one year) on every response")
      ->envname("FOURDOLLAR_HSTS");
  serve
      ->add_flag("--tls-ktls", config.server.tls_ktls,
                 "Ask for kernel TLS (needs the kernel's tls module; see docs/tls.md)")
      ->envname("FOURDOLLAR_TLS_KTLS");
  serve
      ->add_option("--handshake-timeout-ms", config.server.limits.handshake_timeout_ms,
                   "A TLS handshake not finished this long after the connection is closed")
      ->envname("FOURDOLLAR_HANDSHAKE_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{600'000}));
  serve
      ->add_option("--max-handshakes", config.server.limits.max_handshakes,
                   "TLS handshakes in progress at most; more new connections are closed at once")
      ->envname("FOURDOLLAR_MAX_HANDSHAKES")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fourdollar: how much can this machine really serve?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fourdollar " FOURDOLLAR_VERSION);

  fourdollar::cli::ServeConfig serve_config;
  bool token_flag_given = false;
  AddServeCommand(app, serve_config, token_flag_given);
  fourdollar::cli::LoadConfig load_config;
  fourdollar::cli::AddLoadCommand(app, load_config);
  fourdollar::cli::ReportConfig report_config;
  fourdollar::cli::AddReportCommand(app, report_config);
  fourdollar::cli::BenchConfig bench_config;
  fourdollar::cli::AddBenchCommand(app, bench_config);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (app.got_subcommand("report")) return fourdollar::cli::RunReportCommand(report_config);
  const uint64_t open_file_limit = SetUpProcessForLoops();
  if (app.got_subcommand("serve")) {
    fourdollar::serve::BlogServerConfig& server = serve_config.server;
    if (token_flag_given) {
      server.write_token_source = "--write-token";
    } else if (const char* env = std::getenv("FOURDOLLAR_WRITE_TOKEN"); env && *env) {
      server.write_token = env;
      server.write_token_source = "FOURDOLLAR_WRITE_TOKEN";
    }
    if (server.write_token && server.write_token->size() < 16) {
      std::fprintf(stderr, "fourdollar: the write token (%s) must be at least 16 characters\n",
                   server.write_token_source.c_str());
      return 2;
    }
    serve_config.open_file_limit = open_file_limit;
    // SIGHUP reloads the certificate: taken by RunServe's sigwait, so blocked before any
    // loop thread starts.
    fourdollar::net::BlockSignals({SIGHUP});
    return fourdollar::cli::RunServe(serve_config);
  }
  if (app.got_subcommand("load")) return fourdollar::cli::RunLoadCommand(load_config);
  if (app.got_subcommand("bench")) return fourdollar::cli::RunBenchCommand(bench_config);
  return 2;
}
