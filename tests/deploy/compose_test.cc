// Checks compose.yaml through Debian's docker-compose (`docker-compose config` validates the
// file against the Compose schema and resolves it; no Docker engine needed) and against
// deploy/nginx/nginx.conf: profiles, health checks, start-up order, the shared write token and
// the load service.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "deploy_tools.h"
#include "support/temp_dir.h"

namespace fourdollar::deploy {
namespace {

// docker-compose config on a compose file; variables of the caller's shell that the file reads
// are cleared, so that the defaults written in it are what is checked.
CommandResult ComposeConfig(const std::filesystem::path& file, const std::string& args = "") {
  return RunCommand(
      "env -u FOURDOLLAR_IMAGE -u FOURDOLLAR_PORT -u FOURDOLLAR_NGINX_PORT "
      "-u FOURDOLLAR_PG_PASSWORD docker-compose -f " +
      ShellQuote(file.string()) + " " + args + " config");
}

class ComposeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPath("docker-compose")) {
      GTEST_SKIP() << "no docker-compose here (bash scripts/install-deps.sh installs Debian's)";
    }
  }

  // The resolved file, parsed once.
  static const YAML::Node& Config() {
    static const YAML::Node config = [] {
      CommandResult result = ComposeConfig(SourceDir() / "compose.yaml");
      EXPECT_EQ(result.exit_code, 0) << result.err;
      return result.exit_code == 0 ? YAML::Load(result.out) : YAML::Node();
    }();
    return config;
  }

  static YAML::Node Service(const std::string& name) {
    YAML::Node service = Config()["services"][name];
    EXPECT_TRUE(service) << "service " << name;
    return service;
  }

  static std::set<std::string> Profiles(const YAML::Node& service) {
    std::set<std::string> profiles;
    for (const YAML::Node& profile : service["profiles"])
      profiles.insert(profile.as<std::string>());
    return profiles;
  }

  static std::string Image(const std::string& name) {
    return Service(name)["image"].as<std::string>("");
  }
};

// The text of a compose list-or-string field (entrypoint, command, healthcheck test).
std::string Joined(const YAML::Node& node) {
  if (node.IsScalar()) return node.as<std::string>();
  std::string joined;
  for (const YAML::Node& part : node)
    joined += (joined.empty() ? "" : " ") + part.as<std::string>();
  return joined;
}

TEST_F(ComposeTest, FileIsValidWithEveryProfile) {
  for (const char* args : {"", "--profile postgres", "--profile load"}) {
    CommandResult result = ComposeConfig(SourceDir() / "compose.yaml", args);
    EXPECT_EQ(result.exit_code, 0) << "docker-compose " << args << " config:\n" << result.err;
  }
}

TEST_F(ComposeTest, ConfigRejectsAFileThatBreaksTheSchema) {
  // Proof that the check above checks: the same file with one wrong depends_on condition.
  const std::string text = ReadFile(SourceDir() / "compose.yaml");
  const std::string good = "condition: service_healthy";
  ASSERT_NE(text.find(good), std::string::npos);
  std::string broken = text;
  broken.replace(broken.find(good), good.size(), "condition: service_healty");
  test_support::TempDir folder;
  {
    std::ofstream out(folder.path() / "compose.yaml");
    out << broken;
  }
  CommandResult result = ComposeConfig(folder.path() / "compose.yaml");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("service_healty"), std::string::npos) << result.err;
}

TEST_F(ComposeTest, WithoutProfilesOnlyTheSqliteBlogStarts) {
  std::set<std::string> always;
  for (const auto& service : Config()["services"]) {
    if (!service.second["profiles"]) always.insert(service.first.as<std::string>());
  }
  EXPECT_EQ(always, std::set<std::string>{"blog"});
  YAML::Node blog = Service("blog");
  EXPECT_EQ(Joined(blog["volumes"]), "data:/var/lib/fourdollar:rw");
  EXPECT_FALSE(blog["environment"]["FOURDOLLAR_DB"]) << "the image's sqlite: store";
  EXPECT_EQ(blog["ports"][0]["target"].as<int>(0), 8080);
}

TEST_F(ComposeTest, EveryDependencyStartsUnderTheProfilesOfItsDependent) {
  for (const auto& entry : Config()["services"]) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node service = entry.second;
    std::set<std::string> profiles = Profiles(service);
    for (const auto& dependency : service["depends_on"]) {
      const std::string needed = dependency.first.as<std::string>();
      YAML::Node other = Service(needed);
      if (!other["profiles"]) continue;  // always started
      std::set<std::string> other_profiles = Profiles(other);
      for (const std::string& profile : profiles) {
        EXPECT_TRUE(other_profiles.count(profile))
            << name << " (profile " << profile << ") needs " << needed;
      }
    }
  }
}

TEST_F(ComposeTest, BlogsAreHealthyOnlyWhenHealthzAnswers) {
  for (const char* name : {"blog", "blog-1", "blog-2"}) {
    YAML::Node service = Service(name);
    EXPECT_EQ(Joined(service["healthcheck"]["test"]), "CMD fourdollar-healthcheck") << name;
    EXPECT_EQ(Image(name), Image("blog")) << name;
  }
  // The script the image runs as its health check asks GET /healthz.
  EXPECT_NE(ReadFile(SourceDir() / "deploy" / "docker" / "healthcheck.sh")
                .find("printf 'GET /healthz HTTP/1.1"),
            std::string::npos);
  EXPECT_NE(ReadFile(SourceDir() / "Dockerfile").find("CMD [\"fourdollar-healthcheck\"]"),
            std::string::npos);
  // nginx waits for both instances, and the load for nginx, healthy.
  for (const char* dependency : {"blog-1", "blog-2"}) {
    EXPECT_EQ(Service("nginx")["depends_on"][dependency]["condition"].as<std::string>(""),
              "service_healthy");
  }
  EXPECT_EQ(Service("load")["depends_on"]["nginx"]["condition"].as<std::string>(""),
            "service_healthy");
  EXPECT_NE(Joined(Service("nginx")["healthcheck"]["test"]).find("fourdollar-healthcheck"),
            std::string::npos);
}

TEST_F(ComposeTest, PostgresInstancesShareTheDatabaseAndOneWriteToken) {
  for (const char* name : {"blog-1", "blog-2"}) {
    YAML::Node service = Service(name);
    EXPECT_EQ(Profiles(service), (std::set<std::string>{"postgres", "load"})) << name;
    EXPECT_EQ(service["environment"]["FOURDOLLAR_DB"].as<std::string>(""),
              "postgres://fourdollar:fourdollar@postgres:5432/fourdollar")
        << name;
    EXPECT_EQ(service["depends_on"]["postgres"]["condition"].as<std::string>(""),
              "service_healthy");
    EXPECT_EQ(service["depends_on"]["write-token"]["condition"].as<std::string>(""),
              "service_completed_successfully");
    EXPECT_NE(Joined(service["entrypoint"])
                  .find("FOURDOLLAR_WRITE_TOKEN=$$(cat /run/fourdollar/write-token)"),
              std::string::npos)
        << name;
    EXPECT_EQ(Joined(service["volumes"]), "write-token:/run/fourdollar:rw") << name;
  }
  EXPECT_EQ(Joined(Service("write-token")["volumes"]), "write-token:/run/fourdollar:rw");
  EXPECT_EQ(Service("postgres")["environment"]["POSTGRES_PASSWORD"].as<std::string>(""),
            "fourdollar");
}

TEST_F(ComposeTest, NginxSendsRequestsRoundRobinToBothInstances) {
  const std::string conf = ReadFile(SourceDir() / "deploy" / "nginx" / "nginx.conf");
  std::smatch upstream;
  ASSERT_TRUE(std::regex_search(conf, upstream, std::regex(R"(upstream fourdollar \{([^}]*)\})")));
  // No balancing directive (least_conn, hash, ip_hash): nginx's default round-robin.
  const std::string block = upstream[1];
  EXPECT_EQ(block.find("least_conn"), std::string::npos);
  EXPECT_EQ(block.find("hash"), std::string::npos);
  std::set<std::string> servers;
  static const std::regex kServer(R"(server\s+([\w.-]+:\d+))");
  for (auto it = std::sregex_iterator(block.begin(), block.end(), kServer);
       it != std::sregex_iterator(); ++it) {
    servers.insert((*it)[1]);
  }
  EXPECT_EQ(servers, (std::set<std::string>{"blog-1:8080", "blog-2:8080"}));
  EXPECT_NE(conf.find("proxy_pass http://fourdollar;"), std::string::npos);
  EXPECT_NE(conf.find("listen 8080;"), std::string::npos);
  YAML::Node nginx = Service("nginx");
  EXPECT_EQ(nginx["ports"][0]["target"].as<int>(0), 8080);
  bool mounted = false;
  for (const YAML::Node& volume : nginx["volumes"]) {
    if (volume.as<std::string>() ==
        (SourceDir() / "deploy" / "nginx" / "nginx.conf").string() + ":/etc/nginx/nginx.conf:ro") {
      mounted = true;
    }
  }
  EXPECT_TRUE(mounted) << "deploy/nginx/nginx.conf mounted as nginx's configuration";
}

TEST_F(ComposeTest, LoadRunsTheSeedScenarioThroughNginxIntoTheResultsVolume) {
  YAML::Node load = Service("load");
  EXPECT_EQ(Profiles(load), std::set<std::string>{"load"});
  EXPECT_EQ(Image("load"), Image("blog"));
  const std::string entrypoint = Joined(load["entrypoint"]);
  EXPECT_NE(entrypoint.find("exec fourdollar load /usr/share/fourdollar/scenarios/seed.yaml"),
            std::string::npos)
      << entrypoint;
  EXPECT_NE(entrypoint.find("--target http://nginx:8080"), std::string::npos) << entrypoint;
  EXPECT_NE(entrypoint.find("--out /results/"), std::string::npos) << entrypoint;
  EXPECT_NE(entrypoint.find("export FOURDOLLAR_WRITE_TOKEN=$$(cat /run/fourdollar/write-token)"),
            std::string::npos)
      << entrypoint;
  std::set<std::string> volumes;
  for (const YAML::Node& volume : load["volumes"]) volumes.insert(volume.as<std::string>());
  EXPECT_EQ(volumes,
            (std::set<std::string>{"write-token:/run/fourdollar:ro", "results:/results:rw"}));
  // The scenario is in the image where the entrypoint looks for it.
  EXPECT_NE(
      ReadFile(SourceDir() / "Dockerfile").find("COPY scenarios /usr/share/fourdollar/scenarios"),
      std::string::npos);
}

}  // namespace
}  // namespace fourdollar::deploy
