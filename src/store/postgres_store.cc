#include "store/postgres_store.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres_connection.h"
#include "store/postgres_listener.h"
#include "store/postgres_schema.h"
#include "store/postgres_session.h"
#include "store/postgres_writer.h"
#include "store/printable_url.h"
#include "store/writer_backed_store.h"

namespace fourdollar::store {

namespace {

class PostgresStore final : public WriterBackedStore<PostgresWriter> {
 public:
  PostgresStore(std::string url, std::string description, std::shared_ptr<PostgresWriter> writer)
      : WriterBackedStore(std::move(writer)),
        url_(std::move(url)),
        description_(std::move(description)) {}
  ~PostgresStore() override { Shutdown(); }
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  Status StartListener() {
    PostgresWriter* writer = writer_.get();
    auto listener = PostgresListener::Start(
        url_, writer->origin(),
        [writer](const EditedPosts& edited) { writer->BumpGeneration(edited); }, writer->metrics());
    if (!listener) return tl::unexpected(listener.error());
    listener_ = std::move(*listener);
    return {};
  }

  Result<std::unique_ptr<StoreSession>> OpenSession(Executor& loop) override {
    auto session = PostgresSession::Open(url_, writer_, loop, read_timeout_ms_);
    if (!session) return tl::unexpected(session.error());
    return std::unique_ptr<StoreSession>(std::move(*session));
  }
  void Shutdown() override {
    writer_->Shutdown();
    if (listener_) listener_->Stop();
  }
  std::string Describe() const override { return description_; }
  void SetReadTimeoutMs(int64_t timeout_ms) { read_timeout_ms_ = timeout_ms; }

 private:
  const std::string url_;
  const std::string description_;
  int64_t read_timeout_ms_ = StoreOptions{}.read_timeout_ms;
  std::unique_ptr<PostgresListener> listener_;  // stopped before the writer it bumps goes
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options, const Clock& clock) {
  auto db = PgConnection::Connect(options.url);
  if (!db) {
    return MakeError(db.error().code,
                     "store " + ElidePassword(options.url) + ": " + db.error().message);
  }
  if (Status migrated = MigratePostgresSchema(*db, options.render_html); !migrated) {
    return tl::unexpected(migrated.error());
  }
  std::string description = db->Describe();
  auto writer = PostgresWriter::Start(options.url, std::move(*db), clock,
                                      {options.max_queued_writes, options.max_batch});
  if (!writer) return tl::unexpected(writer.error());
  auto store = std::make_unique<PostgresStore>(options.url, std::move(description),
                                               std::shared_ptr<PostgresWriter>(std::move(*writer)));
  store->SetReadTimeoutMs(options.read_timeout_ms);
  if (Status listening = store->StartListener(); !listening) {
    return tl::unexpected(listening.error());
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace fourdollar::store
