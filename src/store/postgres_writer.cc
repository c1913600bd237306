#include "store/postgres_writer.h"
#include "store/libpq.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_map>
#include <utility>

#include "store/postgres_schema.h"

namespace fourdollar::store {

namespace {

constexpr int64_t kInDoubtLimitNs = 10'000'000'000;
constexpr int64_t kInDoubtRetryMs = 100;
// How long one statement of a batch may wait for PostgreSQL before the connection is given up
// (a server that accepts connections and never answers): the batch then fails with 503, or, for
// a COMMIT, is settled as in doubt. Long enough for a busy server's fsync.
constexpr int64_t kStatementTimeoutNs = 5'000'000'000;

int64_t StatementDeadline() { return MonotonicNowNs() + kStatementTimeoutNs; }

// Every instance and every start draws its own prefix, so request keys never collide.
std::string RandomKeyPrefix() {
  std::random_device random;
  char text[33];
  std::snprintf(text, sizeof text, "%08x%08x%08x%08x", random(), random(), random(), random());
  return text;
}

// Rows "($1, $2, $3, $4), ($1, $5, $6, $7)...": one timestamp, then title, body, key per post.
std::string InsertSql(size_t posts) {
  std::string sql = "INSERT INTO posts(created_unix_ms, title, body, request_key) VALUES ";
  for (size_t i = 0; i < posts; ++i) {
    const size_t first = 2 + 3 * i;
    sql += (i == 0 ? "($1, $" : ", ($1, $") + std::to_string(first) + ", $" +
           std::to_string(first + 1) + ", $" + std::to_string(first + 2) + ")";
  }
  return sql + " RETURNING id, request_key";
}

// Keys are hexadecimal and '-', so they need no quoting inside an array literal.
std::string ArrayLiteral(const std::vector<std::string>& keys) {
  std::string literal = "{";
  for (const std::string& key : keys) literal += (literal.size() > 1 ? "," : "") + key;
  return literal + "}";
}

}  // namespace

Result<std::unique_ptr<PostgresWriter>> PostgresWriter::Start(std::string url, PgConnection db,
                                                              const Clock& clock, Limits limits) {
  if (auto checked = WriteQueue::CheckLimits(limits); !checked) {
    return tl::unexpected(checked.error());
  }
  std::unique_ptr<PostgresWriter> writer(
      new PostgresWriter(std::move(url), std::move(db), clock, limits, RandomKeyPrefix()));
  writer->connection_metrics_.SetConnected(PostgresMetrics::Link::kWriter, true);
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

PostgresWriter::PostgresWriter(std::string url, PgConnection db, const Clock& clock, Limits limits,
                               std::string key_prefix)
    : url_(std::move(url)),
      db_(std::move(db)),
      clock_(clock),
      limits_(limits),
      key_prefix_(std::move(key_prefix)),
      queue_(limits, metrics_) {}

PostgresWriter::~PostgresWriter() { Shutdown(); }

void PostgresWriter::Submit(NewPost post, Executor& loop, std::function<void(Result<Post>)> done) {
  queue_.Submit(std::move(post), loop, std::move(done));
}

void PostgresWriter::Shutdown() {
  queue_.Stop();
  std::call_once(join_once_, [this] {
    if (thread_.joinable()) thread_.join();
  });
}

void PostgresWriter::WriteMetrics(MetricsWriter& out) const {
  metrics_.WriteTo(out);
  connection_metrics_.WriteTo(out);
}

void PostgresWriter::Run() {
  std::vector<PendingWrite> batch;
  batch.reserve(limits_.max_batch);
  while (true) {
    std::optional<int64_t> wait_ms;
    if (in_doubt_) wait_ms = kInDoubtRetryMs;
    WriteQueue::Take take = queue_.TakeBatch(batch, wait_ms);
    if (in_doubt_) ResolveInDoubt(/*final=*/take == WriteQueue::Take::kStopped);
    if (take == WriteQueue::Take::kStopped) return;
    if (take == WriteQueue::Take::kTimedOut) continue;
    CommitBatch(batch);
    batch.clear();
  }
}

std::string PostgresWriter::NextKey() {
  char counter[17];
  std::snprintf(counter, sizeof counter, "%llx", static_cast<unsigned long long>(++key_counter_));
  return key_prefix_ + "-" + counter;
}

Status PostgresWriter::EnsureConnected(bool ignore_backoff) {
  if (db_.ok()) return {};
  if (db_.valid()) {
    db_.Close();
    connection_metrics_.SetConnected(PostgresMetrics::Link::kWriter, false);
  }
  const int64_t now_ns = MonotonicNowNs();
  if (!ignore_backoff && !backoff_.Due(now_ns)) {
    return MakeError(ErrorCode::kUnavailable, "PostgreSQL is unreachable; reconnecting");
  }
  auto connected = PgConnection::Connect(url_);
  if (!connected) {
    backoff_.Failed(now_ns);
    Error error = connected.error();
    // Whatever stops a reconnection (even a password changed meanwhile) is a passing outage
    // from the client's view: the store was opened fine.
    error.code = ErrorCode::kUnavailable;
    return tl::unexpected(error);
  }
  db_ = std::move(*connected);
  backoff_.Succeeded();
  connection_metrics_.SetConnected(PostgresMetrics::Link::kWriter, true);
  connection_metrics_.CountReconnect(PostgresMetrics::Link::kWriter);
  return {};
}

void PostgresWriter::Fail(std::vector<PendingWrite>& writes, const Error& error) {
  for (PendingWrite& write : writes) CompleteWrite(write, tl::unexpected(error));
}

void PostgresWriter::CommitBatch(std::vector<PendingWrite>& batch) {
  const int64_t start_ns = MonotonicNowNs();
  auto record = [&](bool committed) {
    const double seconds = static_cast<double>(MonotonicNowNs() - start_ns) / 1e9;
    metrics_.RecordBatch(batch.size(), seconds, committed);
  };
  auto abort = [&](Error error) {
    record(false);
    if (error.code == ErrorCode::kResourceExhausted) metrics_.CountDiskFull(batch.size());
    // The batch's error is the one to report; a rollback that fails leaves nothing to undo.
    if (db_.ok()) (void)db_.ExecBy("ROLLBACK", StatementDeadline());
    error.message = "cannot store post: " + error.message;
    Fail(batch, error);
  };
  if (Status connected = EnsureConnected(false); !connected) return abort(connected.error());

  // The lock is held until COMMIT, so ids drawn under it follow commit order everywhere; the
  // newest stored timestamp read under it keeps timestamps from going backwards across
  // instances whose clocks differ.
  auto begun =
      db_.ExecBy("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kPostgresWriteLockKey) +
                     "); NOTIFY fourdollar_posts;"
                     " SELECT COALESCE(MAX(created_unix_ms), 0) FROM posts",
                 StatementDeadline());
  if (!begun) return abort(begun.error());
  const int64_t created_unix_ms =
      std::max({last_created_unix_ms_, PgInt64(begun->get(), 0, 0), clock_.NowUnixMs()});

  const std::string created_text = std::to_string(created_unix_ms);
  std::vector<std::string> keys;
  keys.reserve(batch.size());
  std::vector<const char*> params{created_text.c_str()};
  params.reserve(1 + 3 * batch.size());
  for (PendingWrite& write : batch) {
    keys.push_back(NextKey());
    params.push_back(write.post.title.c_str());
    params.push_back(write.post.body.c_str());
    params.push_back(keys.back().c_str());
  }
  auto inserted = db_.ExecParamsBy(InsertSql(batch.size()), params, StatementDeadline());
  if (!inserted) return abort(inserted.error());
  std::unordered_map<std::string, int64_t> ids;
  for (int row = 0; row < Pq().PQntuples(inserted->get()); ++row) {
    ids.emplace(PgText(inserted->get(), row, 1), PgInt64(inserted->get(), row, 0));
  }

  if (auto committed = db_.ExecBy("COMMIT", StatementDeadline()); !committed) {
    // The commit may have happened with only its answer lost: look the keys up before saying.
    // The batch is recorded once settled.
    in_doubt_ = InDoubt{std::move(batch), std::move(keys), created_unix_ms,
                        MonotonicNowNs() + kInDoubtLimitNs};
    batch.clear();
    ResolveInDoubt(/*final=*/false);
    return;
  }
  record(true);
  last_created_unix_ms_ = created_unix_ms;
  // Readers that see the new generation must also see the new rows; the completions posted
  // below come after it, so a cache refilled by them is never tagged with a stale number.
  BumpGeneration();
  for (size_t i = 0; i < batch.size(); ++i) {
    NewPost& post = batch[i].post;
    CompleteWrite(batch[i],
                  Post{ids[keys[i]], created_unix_ms, std::move(post.title), std::move(post.body)});
  }
}

void PostgresWriter::ResolveInDoubt(bool final) {
  InDoubt& doubt = *in_doubt_;
  auto give_up_if_due = [&](const Error& error) {
    if (!final && MonotonicNowNs() < doubt.give_up_ns) return;
    connection_metrics_.CountInDoubt(PostgresMetrics::InDoubt::kUnknown);
    metrics_.RecordBatch(doubt.writes.size(), 0, false);
    Fail(doubt.writes, Error{ErrorCode::kUnavailable,
                             "cannot tell whether the post was stored (PostgreSQL did not answer "
                             "the commit): " +
                                 error.message});
    in_doubt_.reset();
  };
  if (Status connected = EnsureConnected(final); !connected)
    return give_up_if_due(connected.error());
  const std::string keys = ArrayLiteral(doubt.keys);
  auto found =
      db_.ExecParamsBy("SELECT request_key, id FROM posts WHERE request_key = ANY($1::text[])",
                       {keys.c_str()}, StatementDeadline());
  if (!found) return give_up_if_due(found.error());

  std::unordered_map<std::string, int64_t> ids;
  for (int row = 0; row < Pq().PQntuples(found->get()); ++row) {
    ids.emplace(PgText(found->get(), row, 0), PgInt64(found->get(), row, 1));
  }
  if (ids.empty()) {
    connection_metrics_.CountInDoubt(PostgresMetrics::InDoubt::kNotStored);
    metrics_.RecordBatch(doubt.writes.size(), 0, false);
    Fail(doubt.writes,
         Error{ErrorCode::kUnavailable,
               "cannot store post: the connection to PostgreSQL broke before the commit"});
    in_doubt_.reset();
    return;
  }
  // One transaction: either every key is there or none. The lost answer hid a success.
  connection_metrics_.CountInDoubt(PostgresMetrics::InDoubt::kStored);
  metrics_.RecordBatch(doubt.writes.size(), 0, true);
  last_created_unix_ms_ = std::max(last_created_unix_ms_, doubt.created_unix_ms);
  BumpGeneration();
  for (size_t i = 0; i < doubt.writes.size(); ++i) {
    auto id = ids.find(doubt.keys[i]);
    if (id == ids.end()) {
      CompleteWrite(doubt.writes[i],
                    MakeError(ErrorCode::kInternal, "post missing from a committed batch"));
      continue;
    }
    NewPost& post = doubt.writes[i].post;
    CompleteWrite(doubt.writes[i], Post{id->second, doubt.created_unix_ms, std::move(post.title),
                                        std::move(post.body)});
  }
  in_doubt_.reset();
}

}  // namespace fourdollar::store
