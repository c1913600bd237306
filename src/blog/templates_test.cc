#include "blog/templates.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fourdollar::blog {
namespace {

// A fresh directory under the test temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "blog_tpl_XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << text;
  }

 private:
  std::string path_;
};

TEST(Templates, DefaultsAreEmbeddedAndParse) {
  Templates templates = DefaultTemplates();
  for (const std::string* source : {&templates.list, &templates.post, &templates.not_found}) {
    EXPECT_TRUE(source->starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(CheckTemplate(*source)) << *source;
  }
  EXPECT_NE(templates.post.find("{{body}}"), std::string::npos);
}

TEST(Templates, EmptyDirectoryNameGivesDefaults) {
  Result<Templates> templates = LoadTemplates("");
  ASSERT_TRUE(templates);
  EXPECT_EQ(templates->list, DefaultTemplates().list);
}

TEST(Templates, DirectoryOverridesOnlyTheFilesItHas) {
  TempDir dir;
  dir.Write("post.mustache", "<p>{{title}}</p>");
  Result<Templates> templates = LoadTemplates(dir.path());
  ASSERT_TRUE(templates) << templates.error().message;
  EXPECT_EQ(templates->post, "<p>{{title}}</p>");
  EXPECT_EQ(templates->list, DefaultTemplates().list);
  EXPECT_EQ(templates->not_found, DefaultTemplates().not_found);
}

TEST(Templates, UnparsableFileIsAnErrorNamingIt) {
  TempDir dir;
  dir.Write("list.mustache", "{{#posts}}never closed");
  Result<Templates> templates = LoadTemplates(dir.path());
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find(dir.path() + "/list.mustache"), std::string::npos)
      << templates.error().message;
  EXPECT_NE(templates.error().message.find("not valid Mustache: "), std::string::npos)
      << templates.error().message;
}

TEST(Templates, MissingDirectoryIsAnError) {
  Result<Templates> templates = LoadTemplates("/nonexistent/fourdollar-templates");
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find("/nonexistent/fourdollar-templates"), std::string::npos);
}

TEST(Templates, FileAsDirectoryIsAnError) {
  TempDir dir;
  dir.Write("plain", "x");
  Result<Templates> templates = LoadTemplates(dir.path() + "/plain");
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find("is not a directory"), std::string::npos)
      << templates.error().message;
}

TEST(Templates, UnreadableEntryIsAnErrorNamingIt) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() + "/not_found.mustache");
  Result<Templates> templates = LoadTemplates(dir.path());
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find(dir.path() + "/not_found.mustache"), std::string::npos)
      << templates.error().message;
}

TEST(Templates, OversizedFileIsAnError) {
  TempDir dir;
  dir.Write("post.mustache", std::string((1u << 20) + 1, 'x'));
  Result<Templates> templates = LoadTemplates(dir.path());
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find("larger than"), std::string::npos)
      << templates.error().message;
}

}  // namespace
}  // namespace fourdollar::blog
