#include "e2e/acknowledged_editors.h"

#include <chrono>
#include <random>

#include "e2e/blog_pages.h"

namespace fourdollar::e2e {

AcknowledgedEditors::AcknowledgedEditors(EditorOptions options) : options_(std::move(options)) {
  running_ = options_.connections;  // before any thread can end and decrement it
  for (int t = 0; t < options_.connections; ++t) threads_.emplace_back([this, t] { Run(t); });
}

AcknowledgedEditors::~AcknowledgedEditors() {
  Stop();
  Join();
}

size_t AcknowledgedEditors::WaitForAcknowledged(size_t count, int timeout_ms) {
  std::unique_lock lock(mutex_);
  changed_signal_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return acknowledged_ >= count || running_ == 0; });
  return acknowledged_;
}

void AcknowledgedEditors::Join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::map<int64_t, EditedPost> AcknowledgedEditors::changed() const {
  std::lock_guard lock(mutex_);
  return changed_;
}

std::vector<std::string> AcknowledgedEditors::unexpected() const {
  std::lock_guard lock(mutex_);
  return unexpected_;
}

void AcknowledgedEditors::Run(int thread) {
  std::vector<AcknowledgedPost> mine;
  for (size_t i = static_cast<size_t>(thread); i < options_.posts.size();
       i += static_cast<size_t>(options_.connections)) {
    mine.push_back(options_.posts[i]);
  }
  std::mt19937_64 random(options_.seed + static_cast<uint64_t>(thread));
  std::uniform_int_distribution<int> kind(1, options_.delete_one_in);
  std::vector<bool> deleted(mine.size(), false);
  auto connection = HttpConnection::Connect(options_.host, options_.port, 20000);
  const Headers delete_headers = {{"Authorization", "Bearer " + options_.token}};
  const Headers put_headers = JsonHeaders(options_.token);
  for (uint64_t step = 0; connection && !stopping_ && !mine.empty(); ++step) {
    const size_t index = step % mine.size();
    if (deleted[index]) {
      if (std::find(deleted.begin(), deleted.end(), false) == deleted.end()) break;
      continue;
    }
    const int64_t id = mine[index].id;
    const bool remove = kind(random) == 1;
    AcknowledgedPost text =
        RandomPost("edit " + std::to_string(thread) + "." + std::to_string(step), random());
    text.id = id;
    {
      // In doubt until answered.
      std::lock_guard lock(mutex_);
      changed_[id].in_doubt = true;
    }
    auto response = remove ? connection->RoundTrip("DELETE", PostPath(id), delete_headers)
                           : connection->RoundTrip("PUT", PostPath(id), put_headers,
                                                   PostJson(text.title, text.body));
    if (!response) break;  // the server died: this change stays in doubt
    std::lock_guard lock(mutex_);
    EditedPost& state = changed_[id];
    const int expected = remove ? 204 : 303;
    if (response->status != expected) {
      unexpected_.push_back(std::to_string(response->status) + " " + response->body);
      break;
    }
    state.in_doubt = false;
    state.deleted = remove;
    state.post = text;
    deleted[index] = remove;
    ++acknowledged_;
    changed_signal_.notify_all();
  }
  std::lock_guard lock(mutex_);
  --running_;
  changed_signal_.notify_all();
}

}  // namespace fourdollar::e2e
