// The fourdollar command line: parses flags (and their FOURDOLLAR_* environment variables) into
// an immutable config and hands it to the command.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/bench_command.h"
#include "cli/load_command.h"
#include "cli/report_command.h"
#include "cli/serve_command.h"

namespace {

void AddServeCommand(CLI::App& app, fourdollar::cli::ServeConfig& config, bool& token_flag_given) {
  CLI::App* serve = app.add_subcommand("serve", "Run the blog server");
  serve
      ->add_option("--listen", config.listen,
                   "Address to listen on, HOST:PORT (port 0: any free port)")
      ->envname("FOURDOLLAR_LISTEN")
      ->capture_default_str();
  serve->add_option("--db", config.db, "Store: sqlite:PATH or postgres://user:pass@host:port/db")
      ->envname("FOURDOLLAR_DB")
      ->capture_default_str();
  serve
      ->add_option("--threads", config.threads,
                   "Event-loop threads (default: the CPUs this process may use)")
      ->envname("FOURDOLLAR_THREADS")
      ->check(CLI::Range(1, 1024));
  serve
      ->add_option("--templates", config.templates_dir,
                   "Folder of Mustache templates overriding the built-in ones")
      ->envname("FOURDOLLAR_TEMPLATES")
      ->check(CLI::ExistingDirectory);
  serve
      ->add_option("--write-token", config.write_token,
                   "Bearer token that POST / requires (also FOURDOLLAR_WRITE_TOKEN; default: "
                   "generated in the data folder)")
      ->each([&token_flag_given](const std::string&) { token_flag_given = true; });
  serve
      ->add_flag("--open-writes", config.open_writes,
                 "Let anyone post, without a token (not recommended)")
      ->envname("FOURDOLLAR_OPEN_WRITES");
  serve->add_option("--cache-mb", config.cache_mb, "Memory for cached pages, in MiB")
      ->envname("FOURDOLLAR_CACHE_MB")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_option("--request-timeout-ms", config.limits.request_timeout_ms,
                   "Deadline for a request to arrive in full, from its first byte")
      ->envname("FOURDOLLAR_REQUEST_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  serve
      ->add_option("--idle-timeout-ms", config.limits.idle_timeout_ms,
                   "Keep-alive connections idle this long are closed")
      ->envname("FOURDOLLAR_IDLE_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  serve
      ->add_option("--max-connections", config.limits.max_connections,
                   "Open client connections at most; past it the longest idle one makes room, "
                   "else a new one is closed at once")
      ->envname("FOURDOLLAR_MAX_CONNECTIONS")
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

  if (app.got_subcommand("serve")) {
    if (token_flag_given) {
      serve_config.write_token_source = "--write-token";
    } else if (const char* env = std::getenv("FOURDOLLAR_WRITE_TOKEN"); env && *env) {
      serve_config.write_token = env;
      serve_config.write_token_source = "FOURDOLLAR_WRITE_TOKEN";
    }
    if (serve_config.write_token && serve_config.write_token->size() < 16) {
      std::fprintf(stderr, "fourdollar: the write token (%s) must be at least 16 characters\n",
                   serve_config.write_token_source.c_str());
      return 2;
    }
    return fourdollar::cli::RunServe(serve_config);
  }
  if (app.got_subcommand("load")) return fourdollar::cli::RunLoadCommand(load_config);
  if (app.got_subcommand("report")) return fourdollar::cli::RunReportCommand(report_config);
  if (app.got_subcommand("bench")) return fourdollar::cli::RunBenchCommand(bench_config);
  return 2;
}
