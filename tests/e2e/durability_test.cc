// Posts survive restarts, SIGTERM drains in-flight writes, and kill -9 loses no acknowledged post.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

struct SentPost {
  std::string title;
  std::string body;
};

// Client threads that post unique titles on keep-alive connections until told to stop, until
// their count is reached, or until the first failure (the server went away), and record every
// post answered with 303.
class Writers {
 public:
  Writers(const ServerProcess& server, int threads, int posts_per_thread) {
    running_ = threads;  // before any thread can end and decrement it
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &server, t, posts_per_thread] {
        Run(server.host(), server.port(), server.token(), t, posts_per_thread);
      });
    }
  }
  ~Writers() { Join(); }
  Writers(const Writers&) = delete;
  Writers& operator=(const Writers&) = delete;

  // Waits until `count` posts were acknowledged, or every thread ended, or the time is up.
  size_t WaitForAcknowledged(size_t count, int timeout_ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return acknowledged_.size() >= count || running_ == 0; });
    return acknowledged_.size();
  }

  void Join() {
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Call after Join.
  const std::vector<SentPost>& acknowledged() const { return acknowledged_; }
  int unexpected_statuses() const { return unexpected_statuses_; }

 private:
  void Run(const std::string& host, uint16_t port, const std::string& token, int thread,
           int posts) {
    auto connection = HttpConnection::Connect(host, port, 10000);
    for (int i = 0; connection.has_value() && i < posts; ++i) {
      SentPost post{"writer " + std::to_string(thread) + " post " + std::to_string(i),
                    "body of writer " + std::to_string(thread) + " post " + std::to_string(i) +
                        " " + std::string(static_cast<size_t>(i % 64), 'x')};
      auto response =
          connection->RoundTrip("POST", "/", JsonHeaders(token), PostJson(post.title, post.body));
      if (!response.has_value()) break;
      std::lock_guard lock(mutex_);
      if (response->status != 303) {
        ++unexpected_statuses_;
        break;
      }
      acknowledged_.push_back(std::move(post));
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    --running_;
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SentPost> acknowledged_;  // guarded by mutex_
  int unexpected_statuses_ = 0;         // guarded by mutex_
  int running_ = 0;                     // guarded by mutex_
  std::vector<std::thread> threads_;
};

class Durability : public ServerTest {
 protected:
  // Every sent post is listed once with its title and shows its body on its own page.
  void ExpectAllPresent(const std::vector<SentPost>& posts) {
    auto listed = ListAllPosts(server_->host(), server_->port());
    ASSERT_TRUE(listed.has_value()) << listed.error().message;
    std::map<std::string, int64_t> ids;
    for (const PostLink& link : *listed) {
      EXPECT_TRUE(ids.emplace(link.title, link.id).second) << "listed twice: " << link.title;
    }
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    size_t missing = 0;
    for (const SentPost& post : posts) {
      auto it = ids.find(post.title);
      if (it == ids.end()) {
        if (++missing <= 10) ADD_FAILURE() << "acknowledged post missing: " << post.title;
        continue;
      }
      auto source = connection->RoundTrip("GET", PostPath(it->second) + "?format=markdown");
      ASSERT_TRUE(source.has_value()) << source.error().message;
      EXPECT_EQ(source->status, 200) << post.title;
      EXPECT_EQ(source->body, post.body) << post.title << ": body differs";
    }
    EXPECT_EQ(missing, 0u) << "of " << posts.size() << " acknowledged posts";
  }
};

TEST_F(Durability, PostsSurviveARestartWithTheirIds) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::vector<SentPost> posts = {
      {"one", "first body"}, {"two", "second body"}, {"three", "third body"}};
  std::map<std::string, int64_t> ids;
  for (const SentPost& post : posts) ids[post.title] = CreatePostAndFindId(post.title, post.body);
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  for (const SentPost& post : posts) {
    HttpResponse page = Get(PostPath(ids[post.title]));
    EXPECT_EQ(page.status, 200) << post.title;
    EXPECT_NE(page.body.find(post.body), std::string::npos) << page.body;
  }
  int64_t next = CreatePostAndFindId("four", "fourth body");
  EXPECT_GT(next, ids["three"]);
  ASSERT_NO_FATAL_FAILURE(ExpectAllPresent(posts));
}

TEST_F(Durability, IdleServerExitsZeroOnSigtermWithinFiveSeconds) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto code = server_->Stop(5000);
  ASSERT_TRUE(code.has_value()) << code.error().message;
  EXPECT_EQ(*code, 0) << server_->StderrText();
}

TEST_F(Durability, ServerExitsZeroOnSigint) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_EQ(::kill(server_->pid(), SIGINT), 0);
  auto code = server_->WaitForExit(5000);
  ASSERT_TRUE(code.has_value()) << code.error().message;
  EXPECT_EQ(*code, 0) << server_->StderrText();
}

TEST_F(Durability, SigtermWithWritesInFlightKeepsEveryAcknowledgedPost) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  constexpr int kThreads = 8;
  std::vector<SentPost> acknowledged;
  {
    Writers writers(*server_, kThreads, 2000);
    ASSERT_GT(writers.WaitForAcknowledged(100, 10000), 0u);
    auto code = server_->Stop(5000);
    ASSERT_TRUE(code.has_value()) << code.error().message;
    EXPECT_EQ(*code, 0) << server_->StderrText();
    writers.Join();
    EXPECT_EQ(writers.unexpected_statuses(), 0);
    acknowledged = writers.acknowledged();
  }
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(ExpectAllPresent(acknowledged));
}

TEST_F(Durability, KillNineLosesNoAcknowledgedPost) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  constexpr int kThreads = 16;
  std::vector<SentPost> acknowledged;
  {
    Writers writers(*server_, kThreads, 400);
    size_t before_kill = writers.WaitForAcknowledged(500, 10000);
    ASSERT_GT(before_kill, 0u);
    server_->Kill();
    writers.Join();
    EXPECT_EQ(writers.unexpected_statuses(), 0);
    acknowledged = writers.acknowledged();
  }
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(ExpectAllPresent(acknowledged));
  // The restarted server takes writes again.
  EXPECT_EQ(CreatePost("after the crash", "still writing").status, 303);
}

}  // namespace
}  // namespace fourdollar::e2e
