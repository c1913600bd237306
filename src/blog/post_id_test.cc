#include "blog/post_id.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace fourdollar::blog {
namespace {

struct IdCase {
  std::string_view text;
  std::optional<int64_t> want;
};

TEST(ParsePostId, AcceptsCanonicalPositiveIds) {
  const IdCase cases[] = {
      {"1", 1},
      {"42", 42},
      {"1000000", 1000000},
      {"9223372036854775807", INT64_MAX},
  };
  for (const IdCase& c : cases) {
    EXPECT_EQ(ParsePostId(c.text), c.want) << c.text;
  }
}

TEST(ParsePostId, RejectsEverythingElse) {
  const std::string_view cases[] = {
      "",
      "0",
      "00",
      "007",
      "-1",
      "+1",
      "-0",
      "1a",
      "a1",
      " 1",
      "1 ",
      "1.0",
      "1e3",
      "0x10",
      "9223372036854775808",   // INT64_MAX + 1
      "9999999999999999999",   // 19 digits, over INT64_MAX
      "10000000000000000000",  // 20 digits
      "123456789012345678901234567890",
      std::string_view("1\0", 2),
      "%31",
      "１",  // fullwidth digit one
  };
  for (std::string_view text : cases) {
    EXPECT_EQ(ParsePostId(text), std::nullopt) << "\"" << text << "\"";
  }
}

}  // namespace
}  // namespace fourdollar::blog
