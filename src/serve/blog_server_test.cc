#include "serve/blog_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "base/unique_fd.h"
#include "support/temp_dir.h"

namespace fourdollar::serve {
namespace {

using test_support::TempDir;

// One request on a blocking connection to 127.0.0.1:port; returns all the server sent until it
// closed (the request asks it to).
std::string Exchange(uint16_t port, const std::string& request) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval deadline{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return "";
  }
  std::string received;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd.get(), buffer, sizeof buffer, 0)) > 0;) {
    received.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

TEST(BlogServer, ServesOnEveryLoopAndDrains) {
  TempDir folder;
  BlogServerConfig config{.listen = "127.0.0.1:0",
                          .db = "sqlite:" + (folder.path() / "blog.db").string(),
                          .threads = 2};
  auto server = BlogServer::Start(config);
  ASSERT_TRUE(server) << server.error().message;
  const ReadyLine& ready = (*server)->ready();
  EXPECT_EQ(ready.host, "127.0.0.1");
  ASSERT_NE(ready.port, 0);
  EXPECT_EQ(ready.threads, 2);
  EXPECT_EQ(ready.store, "sqlite:" + (folder.path() / "blog.db").string());
  EXPECT_EQ(ready.token_file(), (folder.path() / "write-token").string());
  EXPECT_TRUE(std::filesystem::exists(folder.path() / "write-token"));
  const std::string health =
      Exchange(ready.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(health.starts_with("HTTP/1.1 200")) << health;
  const std::string metrics =
      Exchange(ready.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(metrics.find("process_threads"), std::string::npos) << metrics;
  ASSERT_TRUE((*server)->Drain());
  // Drained: nothing listens on the port any more.
  EXPECT_EQ(Exchange(ready.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "");
}

TEST(BlogServer, OpenWritesNeedNoDataFolder) {
  TempDir folder;
  BlogServerConfig config{.listen = "127.0.0.1:0",
                          .db = "sqlite:" + (folder.path() / "blog.db").string(),
                          .threads = 1,
                          .open_writes = true};
  auto server = BlogServer::Start(config);
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_TRUE((*server)->ready().open_writes());
  EXPECT_FALSE(std::filesystem::exists(folder.path() / "write-token"));
}

TEST(BlogServer, NamesTheSettingThatFails) {
  TempDir folder;
  BlogServerConfig config{.listen = "127.0.0.1",
                          .db = "sqlite:" + (folder.path() / "b.db").string()};
  auto bad_listen = BlogServer::Start(config);
  ASSERT_FALSE(bad_listen);
  EXPECT_TRUE(bad_listen.error().message.starts_with("--listen: ")) << bad_listen.error().message;

  config.listen = "127.0.0.1:0";
  config.db = "mysql://localhost/blog";
  config.open_writes = true;
  auto bad_db = BlogServer::Start(config);
  ASSERT_FALSE(bad_db);
  EXPECT_TRUE(bad_db.error().message.starts_with("--db: ")) << bad_db.error().message;
}

}  // namespace
}  // namespace fourdollar::serve
