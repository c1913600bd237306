// The behaviour every Store implementation promises, as a value-parameterised GoogleTest
// suite. An implementation runs it by instantiating StoreContract with a StoreBackend:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreBackend{...}),
//                            StoreBackendName);
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "store/store.h"
#include "store/store_test_support.h"

namespace fourdollar::store::testing {

struct StoreBackend {
  std::string name;  // for test names: letters and digits only
  // The URL of a fresh, empty store; its files, if any, go under `dir`, which is removed after
  // the test.
  std::function<std::string(const std::filesystem::path& dir)> fresh_url;
  // When set and returning a reason, every test of the backend is skipped with it (a server
  // the backend needs is not configured).
  std::function<std::optional<std::string>()> skip_reason;
};

inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

class StoreContract : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    if (GetParam().skip_reason) {
      if (std::optional<std::string> reason = GetParam().skip_reason()) GTEST_SKIP() << *reason;
    }
    url_ = GetParam().fresh_url(dir_.path());
  }

  // Opens the test's store; a failure to open fails the test and returns nullptr.
  std::unique_ptr<Store> OpenTestStore(size_t max_queued_writes = 16384, size_t max_batch = 1024);
  std::unique_ptr<StoreSession> OpenTestSession(Store& store, Executor& loop);

  // Bounded waits for a session's callbacks; a timeout is reported as a kInternal error.
  static Result<Post> InsertAndWait(StoreSession& session, NewPost post);
  static Result<std::optional<Post>> GetAndWait(StoreSession& session, int64_t id);
  static Result<PostList> LatestAndWait(StoreSession& session, std::optional<int64_t> before_id,
                                        int limit);
  static Result<Post> UpdateAndWait(StoreSession& session, int64_t id, NewPost post,
                                    std::optional<int64_t> revision = std::nullopt);
  static Result<Post> DeleteAndWait(StoreSession& session, int64_t id);

  TempDir dir_;
  // Declared before any store of a test body, so it outlives them and their completions.
  ThreadExecutor loop_;
  std::string url_;
};

}  // namespace fourdollar::store::testing
