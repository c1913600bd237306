#include "store/postgres_listener.h"
#include "store/libpq.h"

#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "base/thread_name.h"
#include "store/postgres_backoff.h"
#include "store/postgres_connection.h"

namespace fourdollar::store {

Result<std::unique_ptr<PostgresListener>> PostgresListener::Start(
    std::string url, std::string own_origin,
    std::function<void(const EditedPosts& edited)> bump_generation, PostgresMetrics& metrics) {
  UniqueFd stop_event(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_event.valid()) return ErrnoError("eventfd for the PostgreSQL listener", errno);
  std::unique_ptr<PostgresListener> listener(
      new PostgresListener(std::move(url), std::move(own_origin), std::move(bump_generation),
                           metrics, std::move(stop_event)));
  listener->thread_ = std::thread([l = listener.get()] {
    NameThisThread("pg-listener");
    l->Run();
  });
  return listener;
}

PostgresListener::PostgresListener(std::string url, std::string own_origin,
                                   std::function<void(const EditedPosts& edited)> bump_generation,
                                   PostgresMetrics& metrics, UniqueFd stop_event)
    : url_(std::move(url)),
      own_origin_(std::move(own_origin)),
      bump_generation_(std::move(bump_generation)),
      metrics_(metrics),
      stop_event_(std::move(stop_event)) {}

PostgresListener::~PostgresListener() { Stop(); }

void PostgresListener::Stop() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  // An eventfd write of 1 cannot fail short of a counter overflow.
  (void)::write(stop_event_.get(), &one, sizeof one);
  thread_.join();
}

bool PostgresListener::Wait(int fd, int timeout_ms) {
  pollfd fds[2] = {{stop_event_.get(), POLLIN, 0}, {fd, POLLIN, 0}};
  const nfds_t count = fd >= 0 ? 2 : 1;
  while (::poll(fds, count, timeout_ms) < 0 && errno == EINTR) {
  }
  return (fds[0].revents & POLLIN) == 0;
}

void PostgresListener::Run() {
  ReconnectBackoff backoff;
  bool first = true;
  while (true) {
    const int64_t now_ns = MonotonicNowNs();
    if (!backoff.Due(now_ns)) {
      if (!Wait(-1, static_cast<int>(backoff.WaitMs(now_ns)))) return;
      continue;
    }
    auto connection = PgConnection::Connect(url_);
    Result<PgResult> listening =
        connection.and_then([](PgConnection& c) { return c.Exec("LISTEN fourdollar_posts"); });
    if (!listening) {
      backoff.Failed(now_ns);
      continue;
    }
    backoff.Succeeded();
    if (!first) metrics_.CountReconnect(PostgresMetrics::Link::kListener);
    first = false;
    bump_generation_(std::nullopt);  // whatever was committed before LISTEN took effect
    metrics_.SetConnected(PostgresMetrics::Link::kListener, true);

    PGconn* conn = connection->get();
    while (connection->ok()) {
      if (!Wait(Pq().PQsocket(conn), -1)) return;
      if (Pq().PQconsumeInput(conn) == 0) break;
      while (PGnotify* notify = Pq().PQnotifies(conn)) {
        EditNoticeParsed notice = ParseEditNotice(notify->extra != nullptr ? notify->extra : "");
        const bool own = !notice.origin.empty() && notice.origin == own_origin_;
        metrics_.CountNotification();
        // Own commits were counted by the writer, before their answers went out.
        if (!own) bump_generation_(notice.edited);
        Pq().PQfreemem(notify);  // notice.origin points into it
      }
    }
    metrics_.SetConnected(PostgresMetrics::Link::kListener, false);
    bump_generation_(std::nullopt);
    backoff.Failed(MonotonicNowNs());
  }
}

}  // namespace fourdollar::store
