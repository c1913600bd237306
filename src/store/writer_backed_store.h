// The part of a Store that a store whose changes all go through one writer thread answers from
// that writer: the generations, the newest posts' shared copy, the edits since a generation and
// the metrics. The SQLite and PostgreSQL stores derive from it and differ in the rest: how they
// open sessions, describe themselves and shut down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "store/store.h"

namespace fourdollar::store {

// `Writer` offers Generation(), newest() (its NewestPosts), ChangedUnixMs(), EditGeneration(),
// EditedSince(since) and WriteMetrics(out), each callable from any thread.
template <typename Writer>
class WriterBackedStore : public Store {
 public:
  uint64_t Generation() const override { return writer_->Generation(); }
  std::shared_ptr<const PostList> Newest(uint64_t generation, size_t limit) const override {
    return writer_->newest().Find(generation, limit);
  }
  void OfferNewest(uint64_t generation, size_t limit,
                   std::shared_ptr<const PostList> posts) override {
    writer_->newest().Offer(generation, limit, std::move(posts));
  }
  int64_t ChangedUnixMs() const override { return writer_->ChangedUnixMs(); }
  uint64_t EditGeneration() const override { return writer_->EditGeneration(); }
  EditLog::Changes EditedSince(uint64_t since) const override {
    return writer_->EditedSince(since);
  }
  void WriteMetrics(MetricsWriter& out) const override { writer_->WriteMetrics(out); }

 protected:
  explicit WriterBackedStore(std::shared_ptr<Writer> writer) : writer_(std::move(writer)) {}

  // Shared with the sessions, so a session outliving the store refuses writes instead of
  // touching a destroyed writer.
  const std::shared_ptr<Writer> writer_;
};

}  // namespace fourdollar::store
