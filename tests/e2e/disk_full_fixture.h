// What the disk-full tests of both stores share: posting through the server, keeping the posts
// it acknowledged (with their ids) and the titles it refused, and filling the store with big
// posts until one is refused with 507.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "e2e/acknowledged_writers.h"
#include "e2e/blog_pages.h"
#include "e2e/http_client.h"
#include "e2e/server_process.h"

namespace fourdollar::e2e {

// Bodies just under the 100000-byte limit use up the space quickly; random letters, so that
// PostgreSQL's compression of long values does not shrink them.
inline std::string BigBody(uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string body(99000, 'a');
  for (char& c : body) c = static_cast<char>('a' + random() % 26);
  return body;
}

class DiskFullTest : public ::testing::Test {
 protected:
  HttpResponse Post(const AcknowledgedPost& post) {
    auto response = Fetch(server_->host(), server_->port(), "POST", "/", JsonHeaders(token_),
                          PostJson(post.title, post.body));
    if (!response) {
      ADD_FAILURE() << "POST '" << post.title << "': " << response.error().message << "\n"
                    << server_->StderrText();
      return {};
    }
    return *response;
  }

  // Records `post` as acknowledged with the id its 303 `response` named.
  void Record(AcknowledgedPost post, const HttpResponse& response) {
    std::optional<int64_t> id = ParseStoredId(response.body);
    EXPECT_TRUE(id.has_value()) << response.body;
    post.id = id.value_or(0);
    acknowledged_.push_back(std::move(post));
  }

  // Posts `post`; on 303 records it as acknowledged with its id and returns true.
  bool PostAndRecord(AcknowledgedPost post) {
    HttpResponse response = Post(post);
    if (response.status != 303) return false;
    Record(std::move(post), response);
    return true;
  }

  // Posts big posts until one is refused (at most `attempts`); every answer is 303 (recorded)
  // or 507 (its title kept in refused_). Returns the first 507, or an answer of status 0.
  HttpResponse PostUntilRefused(int attempts) {
    for (int i = 0; i < attempts; ++i) {
      AcknowledgedPost post = RandomPost("while full " + std::to_string(i), 1000 + i);
      post.body = BigBody(1000 + i);
      HttpResponse response = Post(post);
      if (response.status == 303) {
        Record(std::move(post), response);
        continue;
      }
      EXPECT_EQ(response.status, 507) << response.body << "\n" << server_->StderrText();
      if (response.status != 507) return {};
      refused_.push_back(post.title);
      return response;
    }
    return {};
  }

  // Once full: `count` more big posts are each refused with 507 or, when one still fits,
  // stored; never anything else.
  void PostWhileFull(int count) {
    for (int i = 0; i < count; ++i) {
      AcknowledgedPost post = RandomPost("still full " + std::to_string(i), 2000 + i);
      post.body = BigBody(2000 + i);
      HttpResponse response = Post(post);
      if (response.status == 507) {
        refused_.push_back(post.title);
      } else {
        ASSERT_EQ(response.status, 303) << response.body;
        Record(std::move(post), response);
      }
    }
  }

  // The answer that refused a post on the full disk names the reason.
  static void ExpectDiskFullAnswer(const HttpResponse& full) {
    ASSERT_EQ(full.status, 507) << "no post was refused on a full disk";
    EXPECT_EQ(full.reason, "Insufficient Storage");
    EXPECT_NE(full.body.find("out of space"), std::string::npos) << full.body;
  }

  // Reads go on while the disk is full: the list and every acknowledged post's page; the
  // metrics count the refused writes.
  void ExpectReadsGoOn() {
    auto list = Fetch(server_->host(), server_->port(), "GET", "/");
    ASSERT_TRUE(list.has_value()) << list.error().message;
    EXPECT_EQ(list->status, 200);
    EXPECT_EQ(ParseListLinks(list->body).size(), 10u);
    std::vector<std::string> problems =
        CheckPostPages(server_->host(), server_->port(), acknowledged_);
    EXPECT_TRUE(problems.empty()) << problems.front();
    auto metrics = Fetch(server_->host(), server_->port(), "GET", "/metrics");
    ASSERT_TRUE(metrics.has_value()) << metrics.error().message;
    EXPECT_NE(metrics->body.find("fourdollar_write_disk_full_total "), std::string::npos);
    EXPECT_EQ(metrics->body.find("fourdollar_write_disk_full_total 0\n"), std::string::npos)
        << metrics->body;
  }

  // Space has returned: the very next writes succeed, small and big, on the same process.
  void ExpectWritesResume() {
    ASSERT_TRUE(PostAndRecord(RandomPost("after full small", 3000)));
    AcknowledgedPost big = RandomPost("after full big", 3001);
    big.body = BigBody(3001);
    ASSERT_TRUE(PostAndRecord(big));
    std::vector<std::string> problems =
        CheckPostPages(server_->host(), server_->port(), acknowledged_);
    EXPECT_TRUE(problems.empty()) << problems.front();
  }

  std::string token_;
  std::unique_ptr<ServerProcess> server_;
  std::vector<AcknowledgedPost> acknowledged_;
  std::vector<std::string> refused_;
};

}  // namespace fourdollar::e2e
