#include "http/accept_encoding.h"

#include <gtest/gtest.h>

namespace fourdollar::http {
namespace {

TEST(AcceptEncoding, PrefersBrotliThenGzipThenIdentity) {
  EXPECT_EQ(ChooseCoding("gzip, deflate, br", true, true), ContentCoding::kBrotli);
  EXPECT_EQ(ChooseCoding("gzip, deflate, br", true, false), ContentCoding::kGzip);
  EXPECT_EQ(ChooseCoding("gzip", true, true), ContentCoding::kGzip);
  EXPECT_EQ(ChooseCoding("", true, true), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseCoding("deflate", true, true), ContentCoding::kIdentity);
}

TEST(AcceptEncoding, HonoursQValuesAndZeroRefuses) {
  EXPECT_EQ(ChooseCoding("br;q=0.5, gzip;q=0.8", true, true), ContentCoding::kGzip);
  EXPECT_EQ(ChooseCoding("br;q=0, gzip", true, true), ContentCoding::kGzip);
  EXPECT_EQ(ChooseCoding("gzip;q=0, br;q=0", true, true), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseCoding("GZIP ; Q=1.0", true, true), ContentCoding::kGzip);
  EXPECT_EQ(ChooseCoding("*;q=0.1, gzip;q=0", true, true), ContentCoding::kBrotli);
  EXPECT_EQ(ChooseCoding("*", true, false), ContentCoding::kGzip);
  EXPECT_EQ(ChooseCoding("gzip;q=2", true, true), ContentCoding::kIdentity);  // malformed: 0
  EXPECT_EQ(ChooseCoding("gzip;q=0.0001", true, true), ContentCoding::kIdentity);
}

}  // namespace
}  // namespace fourdollar::http
