#include "e2e/acknowledged_writers.h"

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string_view>

#include "e2e/blog_pages.h"

namespace fourdollar::e2e {
namespace {

// Pieces the random texts are made of: plain words, markup, entities, quotes, SQL, and
// multibyte UTF-8 (2, 3 and 4 bytes).
constexpr std::string_view kPieces[] = {
    "post",
    "crash",
    "<script>alert(1)</script>",
    "&amp;",
    "&",
    "\"quoted\"",
    "'",
    "' ; DROP TABLE posts; --",
    "ünïcödé",
    "✓",
    "😀",
    "日本語",
    "a\\b",
    "{\"json\": 1}",
    "</div>",
    "<h1>",
    "%20",
    "0",
};

std::string RandomText(std::mt19937_64& random, size_t pieces, bool allow_line_breaks) {
  std::string text;
  std::uniform_int_distribution<size_t> pick(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> separator(0, 9);
  for (size_t i = 0; i < pieces; ++i) {
    text += kPieces[pick(random)];
    const int s = separator(random);
    if (allow_line_breaks && s == 0) {
      text += "\n";
    } else if (allow_line_breaks && s == 1) {
      text += "\r\n";
    } else if (allow_line_breaks && s == 2) {
      text += "\t";
    } else {
      text += " ";
    }
  }
  return text;
}

}  // namespace

AcknowledgedPost RandomPost(const std::string& unique, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<size_t> title_pieces(0, 5);
  std::uniform_int_distribution<size_t> body_pieces(1, 200);
  AcknowledgedPost post;
  // At most 5 pieces of at most 25 code points each, plus the unique part: under 200.
  post.title = unique + " " + RandomText(random, title_pieces(random), false);
  while (post.title.back() == ' ') post.title.pop_back();
  post.body = RandomText(random, body_pieces(random), true);
  return post;
}

AcknowledgedWriters::AcknowledgedWriters(WriterOptions options) : options_(std::move(options)) {
  running_ = options_.connections;  // before any thread can end and decrement it
  for (int t = 0; t < options_.connections; ++t) {
    threads_.emplace_back([this, t] { Run(t); });
  }
}

AcknowledgedWriters::~AcknowledgedWriters() {
  Stop();
  Join();
}

size_t AcknowledgedWriters::WaitForAcknowledged(size_t count, int timeout_ms) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [&] { return acknowledged_.size() >= count || running_ == 0; });
  return acknowledged_.size();
}

int AcknowledgedWriters::Running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void AcknowledgedWriters::Join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::vector<AcknowledgedPost> AcknowledgedWriters::acknowledged() const {
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

std::vector<std::string> AcknowledgedWriters::unexpected() const {
  std::lock_guard lock(mutex_);
  return unexpected_;
}

int AcknowledgedWriters::WaitForUnavailable(int count, int timeout_ms) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [&] { return unavailable_ >= count || running_ == 0; });
  return unavailable_;
}

int AcknowledgedWriters::unavailable() const {
  std::lock_guard lock(mutex_);
  return unavailable_;
}

void AcknowledgedWriters::Run(int thread) {
  std::vector<WriterTarget> targets{{options_.host, options_.port}};
  targets.insert(targets.end(), options_.more_targets.begin(), options_.more_targets.end());
  std::vector<std::optional<HttpConnection>> connections(targets.size());
  for (uint64_t round = 0; !stopping_; ++round) {
    if (options_.rounds > 0 && round >= static_cast<uint64_t>(options_.rounds)) break;
    const size_t target = (static_cast<size_t>(thread) + round) % targets.size();
    std::optional<HttpConnection>& connection = connections[target];
    if (!connection) {
      // Longer than a PostgreSQL server's 10 s for settling a batch whose COMMIT answer was
      // lost (it answers 503 after that), so a slow settlement is not taken for a hang.
      auto connected = HttpConnection::Connect(targets[target].host, targets[target].port, 20000);
      if (!connected) {
        if (!options_.reconnect) break;
        std::lock_guard lock(mutex_);
        unexpected_.push_back("writer " + std::to_string(thread) +
                              ": connect: " + connected.error().message);
        continue;
      }
      connection.emplace(std::move(*connected));
    }
    if (!PostRound(thread, round, *connection)) {
      connection.reset();
      if (!options_.reconnect) break;
      // The server was to stay up: a lost connection is worth reporting.
      std::lock_guard lock(mutex_);
      unexpected_.push_back("writer " + std::to_string(thread) + ": connection lost");
    }
  }
  std::lock_guard lock(mutex_);
  --running_;
  changed_.notify_all();
}

bool AcknowledgedWriters::PostRound(int thread, uint64_t round, HttpConnection& connection) {
  const Headers headers = JsonHeaders(options_.token);
  const uint64_t first = round * static_cast<uint64_t>(options_.pipeline_depth);
  std::vector<AcknowledgedPost> sent;
  std::string bytes;
  for (int d = 0; d < options_.pipeline_depth; ++d) {
    const std::string unique =
        options_.tag + " " + std::to_string(thread) + "." + std::to_string(first + d);
    sent.push_back(
        RandomPost(unique, options_.seed * 1'000'003 + thread * 1'000'000'007ULL + first + d));
    bytes += FormatRequest("POST", "/", headers, PostJson(sent.back().title, sent.back().body));
  }
  if (!connection.Send(bytes)) return false;
  for (AcknowledgedPost& post : sent) {
    auto response = connection.ReadResponse();
    // The answers not read are unknown, not lost.
    if (!response) return false;
    std::lock_guard lock(mutex_);
    std::optional<int64_t> id =
        response->status == 303 ? ParseStoredId(response->body) : std::nullopt;
    if (id) {
      post.id = *id;
      acknowledged_.push_back(std::move(post));
    } else if (response->status == 503 && !response->Header("Retry-After").empty()) {
      ++unavailable_;
    } else {
      unexpected_.push_back(std::to_string(response->status) + " " + response->body);
    }
    changed_.notify_all();
  }
  return true;
}

std::vector<std::string> CheckPostPages(const std::string& host, uint16_t port,
                                        const std::vector<AcknowledgedPost>& posts,
                                        size_t max_problems) {
  constexpr size_t kPipelined = 64;
  std::vector<std::string> problems;
  auto connection = HttpConnection::Connect(host, port, 10000);
  if (!connection) return {"connect: " + connection.error().message};
  for (size_t first = 0; first < posts.size() && problems.size() < max_problems;
       first += kPipelined) {
    const size_t end = std::min(posts.size(), first + kPipelined);
    std::string bytes;
    // Each post's page (its title) and its Markdown source (its body, as sent).
    for (size_t i = first; i < end; ++i) {
      bytes += FormatRequest("GET", PostPath(posts[i].id));
      bytes += FormatRequest("GET", PostPath(posts[i].id) + "?format=markdown");
    }
    if (auto sent = connection->Send(bytes); !sent) return {"send: " + sent.error().message};
    for (size_t i = first; i < end; ++i) {
      const AcknowledgedPost& post = posts[i];
      auto page = connection->ReadResponse();
      if (!page) return {"GET " + PostPath(post.id) + ": " + page.error().message};
      auto source = connection->ReadResponse();
      if (!source)
        return {"GET " + PostPath(post.id) + "?format=markdown: " + source.error().message};
      std::optional<PostPage> shown =
          page->status == 200 ? ParsePostPage(page->body) : std::nullopt;
      std::string problem;
      if (!shown) {
        problem = "answered " + std::to_string(page->status) + " without a post page";
      } else if (shown->title != post.title) {
        problem = "title differs: sent '" + post.title + "', shown '" + shown->title + "'";
      } else if (source->status != 200 || source->body != post.body) {
        problem = "body differs: sent '" + post.body + "', source answered " +
                  std::to_string(source->status) + " '" + source->body + "'";
      }
      if (!problem.empty() && problems.size() < max_problems) {
        problems.push_back("acknowledged post " + PostPath(post.id) + " ('" + post.title +
                           "'): " + problem);
      }
    }
  }
  return problems;
}

std::vector<std::string> CheckPostsInFile(const SqliteFileContents& contents,
                                          const std::vector<AcknowledgedPost>& posts,
                                          size_t max_problems) {
  std::vector<std::string> problems;
  for (const AcknowledgedPost& post : posts) {
    if (problems.size() >= max_problems) break;
    auto row = contents.posts.find(post.id);
    std::string problem;
    if (row == contents.posts.end()) {
      problem = "is not in the file";
    } else if (row->second.title != post.title) {
      problem = "title differs in the file: '" + row->second.title + "'";
    } else if (row->second.body != post.body) {
      problem = "body differs in the file";
    }
    if (!problem.empty()) {
      problems.push_back("acknowledged post " + PostPath(post.id) + " ('" + post.title + "') " +
                         problem);
    }
  }
  return problems;
}

}  // namespace fourdollar::e2e

namespace fourdollar::e2e {

std::vector<std::string> CheckEachListedOnce(const std::string& host, uint16_t port,
                                             const std::vector<AcknowledgedPost>& posts,
                                             size_t max_problems) {
  auto listed = ListAllPosts(host, port);
  if (!listed) return {"listing the posts: " + listed.error().message};
  std::vector<std::string> problems;
  std::map<int64_t, int> times_listed;
  for (const PostLink& link : *listed) {
    if (++times_listed[link.id] == 2 && problems.size() < max_problems) {
      problems.push_back(PostPath(link.id) + " is listed twice");
    }
  }
  for (const AcknowledgedPost& post : posts) {
    if (times_listed.count(post.id) == 0 && problems.size() < max_problems) {
      problems.push_back("acknowledged post " + PostPath(post.id) + " ('" + post.title +
                         "') is not listed");
    }
  }
  if (problems.size() >= max_problems) return problems;
  std::vector<std::string> pages =
      CheckPostPages(host, port, posts, max_problems - problems.size());
  problems.insert(problems.end(), pages.begin(), pages.end());
  return problems;
}

}  // namespace fourdollar::e2e
