#include "store/postgres_writer.h"
#include "store/libpq.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_map>
#include <utility>

#include "base/thread_name.h"
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

// Rows "($1, $2, $3, $4, $5), ($1, $6, ...)...": one timestamp, then title, body, HTML and key
// per post.
std::string InsertSql(size_t posts) {
  std::string sql =
      "INSERT INTO posts(created_unix_ms, title, body, body_html, request_key) VALUES ";
  for (size_t i = 0; i < posts; ++i) {
    const size_t first = 2 + 4 * i;
    sql += (i == 0 ? "($1" : ", ($1");
    for (size_t j = 0; j < 4; ++j) sql += ", $" + std::to_string(first + j);
    sql += ")";
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
  writer->thread_ = std::thread([w = writer.get()] {
    NameThisThread("pg-writer");
    w->Run();
  });
  return writer;
}

PostgresWriter::PostgresWriter(std::string url, PgConnection db, const Clock& clock, Limits limits,
                               std::string key_prefix)
    : url_(std::move(url)),
      db_(std::move(db)),
      clock_(clock),
      limits_(limits),
      key_prefix_(std::move(key_prefix)),
      queue_(limits, metrics_) {
  changed_unix_ms_.store(clock.NowUnixMs());
}

PostgresWriter::~PostgresWriter() { Shutdown(); }

void PostgresWriter::Submit(WriteRequest request, Executor& loop,
                            std::function<void(Result<Post>)> done) {
  queue_.Submit(std::move(request), loop, std::move(done));
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
  size_t last_batch = 1;
  while (true) {
    std::optional<int64_t> wait_ms;
    if (in_doubt_) {
      wait_ms = kInDoubtRetryMs;
    } else {
      queue_.Await(last_batch, WriteQueue::kAwaitUs);
    }
    WriteQueue::Take take = queue_.TakeBatch(batch, wait_ms);
    if (in_doubt_) ResolveInDoubt(/*final=*/take == WriteQueue::Take::kStopped);
    if (take == WriteQueue::Take::kStopped) return;
    if (take == WriteQueue::Take::kTimedOut) continue;
    queue_.Fill(batch, last_batch);
    last_batch = batch.size();
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
                     "); SELECT GREATEST(COALESCE(MAX(created_unix_ms), 0),"
                     " COALESCE(MAX(updated_unix_ms), 0)) FROM posts",
                 StatementDeadline());
  if (!begun) return abort(begun.error());
  const int64_t now_unix_ms =
      std::max({last_created_unix_ms_, PgInt64(begun->get(), 0, 0), clock_.NowUnixMs()});

  std::vector<Result<Post>> outcomes;
  std::vector<std::string> keys;
  if (Status written = WriteBatch(batch, now_unix_ms, outcomes, keys); !written) {
    return abort(written.error());
  }
  // One notification per commit that changed anything (PostgreSQL delivers it at COMMIT): other
  // instances drop their list pages, and the pages of the posts it names as edited or deleted.
  // The payload is hexadecimal digits, spaces and "edit": it needs no quoting.
  const std::vector<int64_t> edited = EditedIds(batch, outcomes);
  const std::string commit =
      keys.empty() ? "COMMIT"
                   : "NOTIFY fourdollar_posts, '" + EditNotice(key_prefix_, edited) + "'; COMMIT";
  if (auto committed = db_.ExecBy(commit, StatementDeadline()); !committed) {
    if (keys.empty()) {
      // Nothing was to change: every write was refused on its own, and stays so.
      record(false);
      for (size_t i = 0; i < batch.size(); ++i) CompleteWrite(batch[i], std::move(outcomes[i]));
      return;
    }
    // The commit may have happened with only its answer lost: look the keys up before saying.
    // The batch is recorded once settled.
    in_doubt_ = InDoubt{std::move(batch), std::move(outcomes), std::move(keys), now_unix_ms,
                        MonotonicNowNs() + kInDoubtLimitNs};
    batch.clear();
    ResolveInDoubt(/*final=*/false);
    return;
  }
  record(true);
  last_created_unix_ms_ = now_unix_ms;
  Acknowledge(batch, outcomes, edited);
}

Status PostgresWriter::WriteBatch(std::vector<PendingWrite>& batch, int64_t now_unix_ms,
                                  std::vector<Result<Post>>& outcomes,
                                  std::vector<std::string>& keys) {
  outcomes.assign(batch.size(), MakeError(ErrorCode::kInternal, "not written"));
  const std::string now_text = std::to_string(now_unix_ms);
  std::vector<size_t> inserts;
  std::vector<std::string> insert_keys;
  std::vector<const char*> params{now_text.c_str()};
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].request.kind != WriteRequest::Kind::kInsert) continue;
    inserts.push_back(i);
    insert_keys.push_back(NextKey());
  }
  for (size_t j = 0; j < inserts.size(); ++j) {
    NewPost& post = batch[inserts[j]].request.post;
    params.push_back(post.title.c_str());
    params.push_back(post.body.c_str());
    params.push_back(post.body_html.c_str());
    params.push_back(insert_keys[j].c_str());
  }
  if (!inserts.empty()) {
    auto inserted = db_.ExecParamsBy(InsertSql(inserts.size()), params, StatementDeadline());
    if (!inserted) return tl::unexpected(inserted.error());
    std::unordered_map<std::string, int64_t> ids;
    for (int row = 0; row < Pq().PQntuples(inserted->get()); ++row) {
      ids.emplace(PgText(inserted->get(), row, 1), PgInt64(inserted->get(), row, 0));
    }
    for (size_t j = 0; j < inserts.size(); ++j) {
      Post post;
      post.id = ids[insert_keys[j]];
      post.created_unix_ms = now_unix_ms;
      post.title = std::move(batch[inserts[j]].request.post.title);
      post.body = std::move(batch[inserts[j]].request.post.body);
      post.body_html = std::move(batch[inserts[j]].request.post.body_html);
      outcomes[inserts[j]] = std::move(post);
    }
    keys = std::move(insert_keys);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].request.kind == WriteRequest::Kind::kInsert) continue;
    if (Status changed = WriteChange(batch[i].request, now_unix_ms, outcomes[i], keys); !changed) {
      return changed;
    }
  }
  return {};
}

Status PostgresWriter::WriteChange(WriteRequest& request, int64_t now_unix_ms,
                                   Result<Post>& outcome, std::vector<std::string>& keys) {
  const bool update = request.kind == WriteRequest::Kind::kUpdate;
  const std::string key = NextKey();
  const std::string now_text = std::to_string(now_unix_ms);
  const std::string id_text = std::to_string(request.id);
  const std::string revision_text = std::to_string(request.expected_revision.value_or(-1));
  // The change and its key commit together; a refused change logs no key.
  auto changed =
      update ? db_.ExecParamsBy(
                   "WITH changed AS (UPDATE posts SET title = $1, body = $2, updated_unix_ms = "
                   "$3::bigint, revision = revision + 1, body_html = $7 WHERE id = $4::bigint AND "
                   "deleted_unix_ms IS NULL AND ($5::bigint < 0 OR revision = $5::bigint) "
                   "RETURNING id, created_unix_ms, revision), logged AS (INSERT INTO post_changes "
                   "SELECT $6, id FROM changed) SELECT created_unix_ms, revision FROM changed",
                   {request.post.title.c_str(), request.post.body.c_str(), now_text.c_str(),
                    id_text.c_str(), revision_text.c_str(), key.c_str(),
                    request.post.body_html.c_str()},
                   StatementDeadline())
             : db_.ExecParamsBy(
                   "WITH changed AS (UPDATE posts SET title = '', body = '', body_html = '', "
                   "updated_unix_ms = $1::bigint, deleted_unix_ms = $1::bigint, revision = "
                   "revision + 1 WHERE id = "
                   "$2::bigint AND deleted_unix_ms IS NULL RETURNING id, created_unix_ms, "
                   "revision), logged AS (INSERT INTO post_changes SELECT $3, id FROM changed) "
                   "SELECT created_unix_ms, revision FROM changed",
                   {now_text.c_str(), id_text.c_str(), key.c_str()}, StatementDeadline());
  if (!changed) return tl::unexpected(changed.error());
  if (Pq().PQntuples(changed->get()) == 1) {
    Post post;
    post.id = request.id;
    post.created_unix_ms = PgInt64(changed->get(), 0, 0);
    post.revision = PgInt64(changed->get(), 0, 1);
    post.updated_unix_ms = now_unix_ms;
    post.deleted = !update;
    if (update) {
      post.title = std::move(request.post.title);
      post.body = std::move(request.post.body);
      post.body_html = std::move(request.post.body_html);
    }
    outcome = std::move(post);
    keys.push_back(key);
    return {};
  }
  // Nothing changed: say why.
  auto state = db_.ExecParamsBy(
      "SELECT (deleted_unix_ms IS NOT NULL)::int, revision FROM posts WHERE id = $1::bigint",
      {id_text.c_str()}, StatementDeadline());
  if (!state) return tl::unexpected(state.error());
  const std::string which = "post " + id_text;
  if (Pq().PQntuples(state->get()) == 0) {
    outcome = MakeError(ErrorCode::kNotFound, which + " does not exist");
  } else if (PgInt64(state->get(), 0, 0) != 0) {
    outcome = MakeError(ErrorCode::kGone, which + " was deleted");
  } else {
    outcome = MakeError(ErrorCode::kFailedPrecondition,
                        which + " changed since it was read (it is at revision " +
                            std::to_string(PgInt64(state->get(), 0, 1)) + ")");
  }
  return {};
}

void PostgresWriter::Acknowledge(std::vector<PendingWrite>& writes,
                                 std::vector<Result<Post>>& outcomes,
                                 const std::vector<int64_t>& edited) {
  // Readers that see the new generation must also see the new rows; the completions posted
  // below come after it, so a cache refilled by them is never tagged with a stale number.
  edits_.Record(edited);
  TouchChanged();
  newest_.Commit(writes, outcomes);
  for (size_t i = 0; i < writes.size(); ++i) CompleteWrite(writes[i], std::move(outcomes[i]));
}

void PostgresWriter::ResolveInDoubt(bool final) {
  InDoubt& doubt = *in_doubt_;
  auto give_up_if_due = [&](const Error& error) {
    if (!final && MonotonicNowNs() < doubt.give_up_ns) return;
    connection_metrics_.CountInDoubt(PostgresMetrics::InDoubt::kUnknown);
    metrics_.RecordBatch(doubt.writes.size(), 0, false);
    // The commit may have held, and this instance's listener skips its own notifications:
    // every cached page goes, as after a notification that names no post.
    ForgetChanges();
    Fail(doubt.writes, Error{ErrorCode::kUnavailable,
                             "cannot tell whether the post was stored (PostgreSQL did not answer "
                             "the commit): " +
                                 error.message});
    in_doubt_.reset();
  };
  if (Status connected = EnsureConnected(final); !connected)
    return give_up_if_due(connected.error());
  const std::string keys = ArrayLiteral(doubt.keys);
  auto found = db_.ExecParamsBy(
      "SELECT request_key FROM posts WHERE request_key = ANY($1::text[]) UNION ALL "
      "SELECT request_key FROM post_changes WHERE request_key = ANY($1::text[])",
      {keys.c_str()}, StatementDeadline());
  if (!found) return give_up_if_due(found.error());

  if (Pq().PQntuples(found->get()) == 0) {
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
  Acknowledge(doubt.writes, doubt.outcomes, EditedIds(doubt.writes, doubt.outcomes));
  in_doubt_.reset();
}

}  // namespace fourdollar::store
