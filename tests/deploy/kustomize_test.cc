// Renders every overlay of deploy/kubernetes with the newest kubectl here (`kubectl kustomize`)
// and checks the objects a cluster would get: images, probes, resources, users, the Indexed
// Job of the distributed load test and the shell line each of its pods runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "deploy_tools.h"
#include "support/temp_dir.h"

namespace fourdollar::deploy {
namespace {

const std::vector<std::string> kOverlays = {"sqlite", "postgres", "load", "load-report"};

std::filesystem::path KubernetesDir() { return SourceDir() / "deploy" / "kubernetes"; }

class KustomizeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kubectl_ = FindNewestKubectl();
    if (kubectl_) {
      std::printf("kubectl: %s (%s)\n", kubectl_->path.c_str(), kubectl_->version.c_str());
    }
  }

  void SetUp() override {
    if (!kubectl_) {
      GTEST_SKIP() << "no kubectl here (bash scripts/install-deps.sh installs Debian's "
                      "kubernetes-client when there is none; FOURDOLLAR_KUBECTL picks one)";
    }
    // `resources` naming a folder and `patches` need kustomize v3 or later (kubectl 1.21+).
    ASSERT_GE(std::tie(kubectl_->major, kubectl_->minor), std::make_tuple(1, 21))
        << "kubectl " << kubectl_->version << " (" << kubectl_->path
        << ") is too old for this tree's kustomizations: 1.21 or later is needed";
  }

  // The overlay's objects, rendered once per test binary. A failed rendering fails the test.
  static const std::vector<YAML::Node>& Render(const std::string& overlay) {
    static std::map<std::string, std::vector<YAML::Node>> rendered;
    auto found = rendered.find(overlay);
    if (found != rendered.end()) return found->second;
    CommandResult result =
        RunCommand(ShellQuote(kubectl_->path) + " kustomize " +
                   ShellQuote((KubernetesDir() / "overlays" / overlay).string()));
    EXPECT_EQ(result.exit_code, 0) << "kubectl kustomize overlays/" << overlay << ":\n"
                                   << result.err;
    // A deprecated field makes kubectl print a warning on stderr; the tree uses none.
    EXPECT_EQ(result.err.find("Warning"), std::string::npos)
        << "kubectl kustomize overlays/" << overlay << " warned:\n"
        << result.err;
    std::vector<YAML::Node> objects;
    if (result.exit_code == 0) objects = ParseDocuments(result.out);
    return rendered.emplace(overlay, std::move(objects)).first->second;
  }

  static std::vector<YAML::Node> OfKind(const std::string& overlay, const std::string& kind) {
    std::vector<YAML::Node> objects;
    for (const YAML::Node& object : Render(overlay)) {
      if (object["kind"].as<std::string>("") == kind) objects.push_back(object);
    }
    return objects;
  }

  // The one object of that kind, or a null node (and a failure).
  static YAML::Node One(const std::string& overlay, const std::string& kind) {
    std::vector<YAML::Node> objects = OfKind(overlay, kind);
    EXPECT_EQ(objects.size(), 1u) << kind << " objects in overlays/" << overlay;
    return objects.empty() ? YAML::Node() : objects.front();
  }

  static inline std::optional<Kubectl> kubectl_;
};

bool HasPods(const YAML::Node& object) {
  const std::string kind = object["kind"].as<std::string>("");
  return kind == "Pod" || kind == "Deployment" || kind == "StatefulSet" || kind == "Job";
}

// The pod spec of a Deployment, StatefulSet or Job (its template), or of a Pod.
YAML::Node PodSpec(const YAML::Node& object) {
  if (object["kind"].as<std::string>("") == "Pod") return object["spec"];
  return object["spec"]["template"]["spec"];
}

YAML::Node Container(const YAML::Node& pod_spec, const std::string& name) {
  for (const YAML::Node& container : pod_spec["containers"]) {
    if (container["name"].as<std::string>("") == name) return container;
  }
  ADD_FAILURE() << "no container named " << name;
  return YAML::Node();
}

// The literal value of an environment variable of a container (not valueFrom).
std::string EnvValue(const YAML::Node& container, const std::string& name) {
  for (const YAML::Node& env : container["env"]) {
    if (env["name"].as<std::string>("") == name) return env["value"].as<std::string>("");
  }
  return "";
}

YAML::Node EnvEntry(const YAML::Node& container, const std::string& name) {
  for (const YAML::Node& env : container["env"]) {
    if (env["name"].as<std::string>("") == name) return env;
  }
  return YAML::Node();
}

// Kubernetes quantities: CPU in millicores ("1", "250m"), memory in bytes ("64Mi", "1Gi").
int64_t MilliCpu(const std::string& quantity) {
  if (!quantity.empty() && quantity.back() == 'm') return std::stoll(quantity);
  return static_cast<int64_t>(std::stod(quantity) * 1000);
}

int64_t Bytes(const std::string& quantity) {
  static const std::map<std::string, int64_t> kUnits = {
      {"", 1}, {"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", int64_t{1} << 30}};
  size_t digits = quantity.find_first_not_of("0123456789");
  std::string unit = digits == std::string::npos ? "" : quantity.substr(digits);
  auto found = kUnits.find(unit);
  if (found == kUnits.end()) {
    ADD_FAILURE() << "unexpected memory unit in " << quantity;
    return 0;
  }
  return std::stoll(quantity.substr(0, digits)) * found->second;
}

// Every object with a pod spec, over every overlay.
std::vector<std::pair<std::string, YAML::Node>> Workloads(
    const std::vector<YAML::Node>& (*render)(const std::string&)) {
  std::vector<std::pair<std::string, YAML::Node>> workloads;
  for (const std::string& overlay : kOverlays) {
    for (const YAML::Node& object : render(overlay)) {
      if (HasPods(object)) {
        workloads.emplace_back(overlay + "/" + object["kind"].as<std::string>() + "/" +
                                   object["metadata"]["name"].as<std::string>(),
                               object);
      }
    }
  }
  return workloads;
}

TEST_F(KustomizeTest, EveryOverlayRenders) {
  for (const std::string& overlay : kOverlays) {
    EXPECT_FALSE(Render(overlay).empty()) << "overlays/" << overlay << " rendered no object";
  }
}

TEST_F(KustomizeTest, FourdollarContainersUseTheImageOfThisVersion) {
  int seen = 0;
  for (const auto& [where, object] : Workloads(&Render)) {
    for (const YAML::Node& container : PodSpec(object)["containers"]) {
      const std::string image = container["image"].as<std::string>("");
      if (image.rfind("fourdollar", 0) != 0) continue;
      ++seen;
      EXPECT_EQ(image, "fourdollar:" FOURDOLLAR_VERSION) << where;
    }
  }
  EXPECT_GE(seen, 4) << "containers running the fourdollar image";
}

TEST_F(KustomizeTest, BlogProbesAskHealthzOnTheListeningPort) {
  for (const char* overlay : {"sqlite", "postgres"}) {
    YAML::Node blog = Container(PodSpec(One(overlay, "Deployment")), "blog");
    ASSERT_TRUE(blog) << overlay;
    for (const char* probe : {"readinessProbe", "livenessProbe"}) {
      EXPECT_EQ(blog[probe]["httpGet"]["path"].as<std::string>(""), "/healthz")
          << overlay << " " << probe;
      EXPECT_EQ(blog[probe]["httpGet"]["port"].as<std::string>(""), "http")
          << overlay << " " << probe;
    }
    ASSERT_EQ(blog["ports"].size(), 1u);
    EXPECT_EQ(blog["ports"][0]["name"].as<std::string>(""), "http");
    EXPECT_EQ(blog["ports"][0]["containerPort"].as<int>(0), 8080);
    // The port the server listens on comes from the settings ConfigMap.
    YAML::Node settings = One(overlay, "ConfigMap");
    EXPECT_EQ(settings["data"]["FOURDOLLAR_LISTEN"].as<std::string>(""), "0.0.0.0:8080");
    EXPECT_EQ(blog["envFrom"][0]["configMapRef"]["name"].as<std::string>(""),
              settings["metadata"]["name"].as<std::string>())
        << overlay;
  }
}

TEST_F(KustomizeTest, EveryPodRunsAsNonRootWithoutPrivileges) {
  // The image's user (Dockerfile: USER 10001:10001) for fourdollar's pods.
  std::smatch user;
  const std::string dockerfile = ReadFile(SourceDir() / "Dockerfile");
  ASSERT_TRUE(std::regex_search(dockerfile, user, std::regex(R"(\nUSER (\d+):(\d+)\n)")));
  for (const auto& [where, object] : Workloads(&Render)) {
    YAML::Node pod = PodSpec(object);
    EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>(false)) << where;
    EXPECT_GT(pod["securityContext"]["runAsUser"].as<int>(0), 0) << where;
    EXPECT_FALSE(pod["automountServiceAccountToken"].as<bool>(true)) << where;
    for (const YAML::Node& container : pod["containers"]) {
      YAML::Node context = container["securityContext"];
      EXPECT_FALSE(context["allowPrivilegeEscalation"].as<bool>(true)) << where;
      EXPECT_TRUE(context["readOnlyRootFilesystem"].as<bool>(false)) << where;
      EXPECT_EQ(context["capabilities"]["drop"][0].as<std::string>(""), "ALL") << where;
      if (container["image"].as<std::string>("").rfind("fourdollar", 0) == 0) {
        EXPECT_EQ(pod["securityContext"]["runAsUser"].as<std::string>(""), user[1].str()) << where;
        EXPECT_EQ(pod["securityContext"]["runAsGroup"].as<std::string>(""), user[2].str()) << where;
      }
    }
  }
}

TEST_F(KustomizeTest, EveryContainerFitsOneSmallNode) {
  // A 1-vCPU / 512 MB node: each container asks for a share of it and is capped within it.
  for (const auto& [where, object] : Workloads(&Render)) {
    for (const YAML::Node& container : PodSpec(object)["containers"]) {
      YAML::Node resources = container["resources"];
      ASSERT_TRUE(resources["requests"]["cpu"] && resources["requests"]["memory"]) << where;
      ASSERT_TRUE(resources["limits"]["cpu"] && resources["limits"]["memory"]) << where;
      int64_t cpu_request = MilliCpu(resources["requests"]["cpu"].as<std::string>());
      int64_t cpu_limit = MilliCpu(resources["limits"]["cpu"].as<std::string>());
      int64_t memory_request = Bytes(resources["requests"]["memory"].as<std::string>());
      int64_t memory_limit = Bytes(resources["limits"]["memory"].as<std::string>());
      EXPECT_GT(cpu_request, 0) << where;
      EXPECT_LE(cpu_request, cpu_limit) << where;
      EXPECT_LE(cpu_limit, 1000) << where;
      EXPECT_GT(memory_request, 0) << where;
      EXPECT_LE(memory_request, memory_limit) << where;
      EXPECT_LE(memory_limit, int64_t{256} << 20) << where;
    }
  }
}

TEST_F(KustomizeTest, SqliteBlogIsOneReplicaOnAClaimReplacedByRecreate) {
  YAML::Node deployment = One("sqlite", "Deployment");
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(0), 1);
  EXPECT_EQ(deployment["spec"]["strategy"]["type"].as<std::string>(""), "Recreate");
  YAML::Node claim = One("sqlite", "PersistentVolumeClaim");
  bool mounted = false;
  for (const YAML::Node& volume : PodSpec(deployment)["volumes"]) {
    if (volume["name"].as<std::string>("") != "data") continue;
    EXPECT_FALSE(volume["emptyDir"]) << "the data volume is a claim, not also an emptyDir";
    EXPECT_EQ(volume["persistentVolumeClaim"]["claimName"].as<std::string>(""),
              claim["metadata"]["name"].as<std::string>());
    mounted = true;
  }
  EXPECT_TRUE(mounted);
  YAML::Node blog = Container(PodSpec(deployment), "blog");
  bool data_mount = false;
  for (const YAML::Node& mount : blog["volumeMounts"]) {
    if (mount["name"].as<std::string>("") == "data") {
      EXPECT_EQ(mount["mountPath"].as<std::string>(""), "/var/lib/fourdollar");
      data_mount = true;
    }
  }
  EXPECT_TRUE(data_mount);
  EXPECT_EQ(One("sqlite", "ConfigMap")["data"]["FOURDOLLAR_DB"].as<std::string>(""),
            "sqlite:/var/lib/fourdollar/blog.db");
}

TEST_F(KustomizeTest, PostgresBlogsShareTheStatefulSetsDatabaseAndToken) {
  YAML::Node deployment = One("postgres", "Deployment");
  EXPECT_GE(deployment["spec"]["replicas"].as<int>(0), 2);
  YAML::Node blog = Container(PodSpec(deployment), "blog");
  YAML::Node statefulset = One("postgres", "StatefulSet");
  const std::string service = statefulset["spec"]["serviceName"].as<std::string>("");
  bool service_exists = false;
  for (const YAML::Node& object : OfKind("postgres", "Service")) {
    if (object["metadata"]["name"].as<std::string>("") == service) service_exists = true;
  }
  EXPECT_TRUE(service_exists) << "the StatefulSet's service " << service;
  EXPECT_EQ(EnvValue(blog, "FOURDOLLAR_DB"),
            "postgres://fourdollar:$(POSTGRES_PASSWORD)@" + service + ":5432/fourdollar");
  // $(POSTGRES_PASSWORD) expands only when that variable comes first.
  ASSERT_TRUE(EnvEntry(blog, "POSTGRES_PASSWORD"));
  std::vector<std::string> order;
  for (const YAML::Node& env : blog["env"]) order.push_back(env["name"].as<std::string>());
  EXPECT_LT(std::find(order.begin(), order.end(), "POSTGRES_PASSWORD"),
            std::find(order.begin(), order.end(), "FOURDOLLAR_DB"));
  // Every instance must demand the same token: the Secret is required, not optional.
  YAML::Node token = EnvEntry(blog, "FOURDOLLAR_WRITE_TOKEN")["valueFrom"]["secretKeyRef"];
  EXPECT_EQ(token["name"].as<std::string>(""), "fourdollar-write-token");
  EXPECT_FALSE(token["optional"].as<bool>(true));
  YAML::Node postgres = Container(PodSpec(statefulset), "postgres");
  EXPECT_EQ(postgres["readinessProbe"]["exec"]["command"][0].as<std::string>(""), "pg_isready");
}

TEST_F(KustomizeTest, BlogServiceSelectsTheBlogPodsOnTheirHttpPort) {
  for (const char* overlay : {"sqlite", "postgres"}) {
    YAML::Node deployment = One(overlay, "Deployment");
    YAML::Node pod_labels = deployment["spec"]["template"]["metadata"]["labels"];
    bool found = false;
    for (const YAML::Node& service : OfKind(overlay, "Service")) {
      if (service["metadata"]["name"].as<std::string>("") != "fourdollar-blog") continue;
      found = true;
      for (const auto& selector : service["spec"]["selector"]) {
        EXPECT_EQ(pod_labels[selector.first.as<std::string>()].as<std::string>(""),
                  selector.second.as<std::string>())
            << overlay;
      }
      EXPECT_EQ(service["spec"]["ports"][0]["targetPort"].as<std::string>(""), "http");
      EXPECT_EQ(service["spec"]["ports"][0]["port"].as<int>(0), 80);
    }
    EXPECT_TRUE(found) << "Service fourdollar-blog in overlays/" << overlay;
  }
}

// The load overlay's settings ConfigMap (AGENTS, START_AT, TARGET).
YAML::Node LoadSettings(const std::vector<YAML::Node>& configmaps) {
  for (const YAML::Node& configmap : configmaps) {
    if (configmap["data"]["AGENTS"]) return configmap;
  }
  ADD_FAILURE() << "no ConfigMap with AGENTS in overlays/load";
  return YAML::Node();
}

TEST_F(KustomizeTest, LoadJobIsIndexedWithOnePodPerAgent) {
  YAML::Node job = One("load", "Job");
  YAML::Node settings = LoadSettings(OfKind("load", "ConfigMap"));
  const int agents = settings["data"]["AGENTS"].as<int>(0);
  EXPECT_GE(agents, 2);
  EXPECT_EQ(job["spec"]["completionMode"].as<std::string>(""), "Indexed");
  EXPECT_EQ(job["spec"]["completions"].as<int>(0), agents);
  EXPECT_EQ(job["spec"]["parallelism"].as<int>(0), agents);
  EXPECT_EQ(PodSpec(job)["restartPolicy"].as<std::string>(""), "Never");
  YAML::Node load = Container(PodSpec(job), "load");
  EXPECT_EQ(load["envFrom"][0]["configMapRef"]["name"].as<std::string>(""),
            settings["metadata"]["name"].as<std::string>());
  EXPECT_EQ(settings["data"]["TARGET"].as<std::string>(""), "http://fourdollar-blog");
  EXPECT_TRUE(std::regex_match(settings["data"]["START_AT"].as<std::string>(""),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

TEST_F(KustomizeTest, EachLoadAgentRunsItsSegmentFromStartAtIntoItsOwnFolder) {
  YAML::Node job = One("load", "Job");
  YAML::Node settings = LoadSettings(OfKind("load", "ConfigMap"));
  YAML::Node load = Container(PodSpec(job), "load");
  ASSERT_EQ(load["command"].size(), 2u);
  EXPECT_EQ(load["command"][0].as<std::string>(""), "/bin/sh");
  const std::string script = load["args"][0].as<std::string>("");
  // The pod's shell line, run here by /bin/sh with the Job's environment and a `fourdollar`
  // that records its arguments, one per line, instead of loading anything.
  test_support::TempDir bin;
  std::filesystem::path recorder = bin.path() / "fourdollar";
  {
    std::ofstream out(recorder);
    out << "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\"; done\n";
  }
  std::filesystem::permissions(recorder, std::filesystem::perms::owner_all);
  const int agents = settings["data"]["AGENTS"].as<int>(0);
  const std::string start_at = settings["data"]["START_AT"].as<std::string>("");
  const std::string target = settings["data"]["TARGET"].as<std::string>("");
  for (int index = 0; index < agents; ++index) {
    std::string env = "PATH=" + ShellQuote(bin.path().string()) + ":/usr/bin:/bin" +
                      " JOB_COMPLETION_INDEX=" + std::to_string(index) +
                      " AGENTS=" + std::to_string(agents) + " START_AT=" + ShellQuote(start_at) +
                      " TARGET=" + ShellQuote(target);
    CommandResult run = RunCommand("env -i " + env + " /bin/sh -c " + ShellQuote(script));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::string> expected = {
        "load",       "/etc/fourdollar/scenarios/seed.yaml",
        "--target",   target,
        "--segment",  std::to_string(index + 1) + "/" + std::to_string(agents),
        "--start-at", start_at,
        "--out",      "/results/agent-" + std::to_string(index)};
    std::string joined;
    for (const std::string& arg : expected) joined += arg + "\n";
    EXPECT_EQ(run.out, joined) << "agent " << index;
  }
  // Where the scenario and the results come from.
  std::map<std::string, std::string> mounts;
  for (const YAML::Node& mount : load["volumeMounts"]) {
    mounts[mount["name"].as<std::string>()] = mount["mountPath"].as<std::string>();
  }
  std::string scenario_configmap, results_claim;
  for (const YAML::Node& volume : PodSpec(job)["volumes"]) {
    const std::string name = volume["name"].as<std::string>("");
    if (volume["configMap"]) {
      EXPECT_EQ(mounts[name], "/etc/fourdollar/scenarios");
      scenario_configmap = volume["configMap"]["name"].as<std::string>();
    }
    if (volume["persistentVolumeClaim"]) {
      EXPECT_EQ(mounts[name], "/results");
      results_claim = volume["persistentVolumeClaim"]["claimName"].as<std::string>();
    }
  }
  bool claim_defined = false;
  for (const YAML::Node& claim : OfKind("load", "PersistentVolumeClaim")) {
    if (claim["metadata"]["name"].as<std::string>("") == results_claim) claim_defined = true;
  }
  EXPECT_TRUE(claim_defined) << "claim " << results_claim;
  bool scenario_defined = false;
  for (const YAML::Node& configmap : OfKind("load", "ConfigMap")) {
    if (configmap["metadata"]["name"].as<std::string>("") != scenario_configmap) continue;
    scenario_defined = true;
    EXPECT_EQ(configmap["data"]["seed.yaml"].as<std::string>(""),
              ReadFile(SourceDir() / "scenarios" / "seed.yaml"))
        << "the scenario the agents run is scenarios/seed.yaml";
  }
  EXPECT_TRUE(scenario_defined) << "ConfigMap " << scenario_configmap;
}

TEST_F(KustomizeTest, AnOverlayOfOnesOwnSetsStartAt) {
  // docs/deploy.md: a run's start time goes into a small overlay on top of overlays/load.
  test_support::TempDir run;
  {
    std::ofstream out(run.path() / "kustomization.yaml");
    out << "apiVersion: kustomize.config.k8s.io/v1beta1\n"
           "kind: Kustomization\n"
           "resources: ["
        // kustomize takes no absolute path here.
        << std::filesystem::relative(KubernetesDir() / "overlays" / "load", run.path()).string()
        << "]\n"
           "configMapGenerator:\n"
           "  - name: fourdollar-load\n"
           "    behavior: merge\n"
           "    literals: [START_AT=2030-01-02T03:04:05Z]\n";
  }
  CommandResult result =
      RunCommand(ShellQuote(kubectl_->path) + " kustomize " + ShellQuote(run.path().string()));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<YAML::Node> objects = ParseDocuments(result.out);
  std::vector<YAML::Node> configmaps;
  YAML::Node job;
  for (const YAML::Node& object : objects) {
    if (object["kind"].as<std::string>("") == "ConfigMap") configmaps.push_back(object);
    if (object["kind"].as<std::string>("") == "Job") job = object;
  }
  YAML::Node settings = LoadSettings(configmaps);
  EXPECT_EQ(settings["data"]["START_AT"].as<std::string>(""), "2030-01-02T03:04:05Z");
  EXPECT_EQ(settings["data"]["AGENTS"].as<std::string>(""),
            LoadSettings(OfKind("load", "ConfigMap"))["data"]["AGENTS"].as<std::string>());
  ASSERT_TRUE(job);
  EXPECT_EQ(
      Container(PodSpec(job), "load")["envFrom"][0]["configMapRef"]["name"].as<std::string>(""),
      settings["metadata"]["name"].as<std::string>());
}

TEST_F(KustomizeTest, LoadOverlayKeepsACopyOfTheSeedScenarioInSync) {
  // kustomize reads no file outside the overlay's folder, hence the copy.
  EXPECT_EQ(ReadFile(KubernetesDir() / "overlays" / "load" / "seed.yaml"),
            ReadFile(SourceDir() / "scenarios" / "seed.yaml"))
      << "copy scenarios/seed.yaml to deploy/kubernetes/overlays/load/seed.yaml";
}

TEST_F(KustomizeTest, ReportPodMergesEveryAgentsResults) {
  YAML::Node pod = One("load-report", "Pod");
  YAML::Node report = Container(PodSpec(pod), "report");
  EXPECT_NE(report["args"][0].as<std::string>("").find(
                "fourdollar report /results/agent-* --out /results/report.html"),
            std::string::npos);
  YAML::Node job = One("load", "Job");
  auto claim = [](const YAML::Node& pod_spec) {
    for (const YAML::Node& volume : pod_spec["volumes"]) {
      if (volume["persistentVolumeClaim"]) {
        return volume["persistentVolumeClaim"]["claimName"].as<std::string>();
      }
    }
    return std::string();
  };
  EXPECT_EQ(claim(PodSpec(pod)), claim(PodSpec(job)));
  EXPECT_FALSE(claim(PodSpec(pod)).empty());
}

}  // namespace
}  // namespace fourdollar::deploy
