#include "blog/templates.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace fourdollar::blog {
namespace {

using test_support::TempDir;

TEST(Templates, DefaultsAreEmbeddedAndParse) {
  Templates templates = DefaultTemplates();
  for (const std::string* source : {&templates.list, &templates.post, &templates.not_found}) {
    EXPECT_TRUE(source->starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(CheckTemplate(*source)) << *source;
  }
  EXPECT_NE(templates.post.find("{{{body_html}}}"), std::string::npos);
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
  EXPECT_NE(templates.error().message.find(dir.File("list.mustache")), std::string::npos)
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
  Result<Templates> templates = LoadTemplates(dir.File("plain"));
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find("is not a directory"), std::string::npos)
      << templates.error().message;
}

TEST(Templates, UnreadableEntryIsAnErrorNamingIt) {
  TempDir dir;
  std::filesystem::create_directory(dir.File("not_found.mustache"));
  Result<Templates> templates = LoadTemplates(dir.path());
  ASSERT_FALSE(templates);
  EXPECT_NE(templates.error().message.find(dir.File("not_found.mustache")), std::string::npos)
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
