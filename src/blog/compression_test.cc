#include "blog/compression.h"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace fourdollar::blog {
namespace {

std::string Page() {
  std::string html = "<!DOCTYPE html><html><body>";
  for (int i = 0; i < 200; ++i)
    html += "<li><a href=\"/" + std::to_string(i) + "\">A post</a></li>";
  return html + "</body></html>";
}

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(Compression, GzipRoundTripsAndIsSmaller) {
  const std::string html = Page();
  const std::string gz = GzipCompress(html);
  ASSERT_FALSE(gz.empty());
  EXPECT_LT(gz.size(), html.size() / 4);
  EXPECT_EQ(Gunzip(gz), html);
}

TEST(Compression, BrotliRoundTripsAndIsSmaller) {
  const std::string html = Page();
  const std::string br = BrotliCompress(html);
  ASSERT_FALSE(br.empty());
  EXPECT_LT(br.size(), html.size() / 4);
  std::string out(html.size() * 2, '\0');
  size_t size = out.size();
  ASSERT_EQ(BrotliDecoderDecompress(br.size(), reinterpret_cast<const uint8_t*>(br.data()), &size,
                                    reinterpret_cast<uint8_t*>(out.data())),
            BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  EXPECT_EQ(out, html);
}

TEST(Compression, IncompressibleInputGivesNoCopy) {
  EXPECT_EQ(GzipCompress("ab"), "");
  EXPECT_EQ(BrotliCompress(""), "");
}

}  // namespace
}  // namespace fourdollar::blog
