// Fuzz target: the JSON body of POST / through the validation the create handler uses
// (blog/post_validation.h). An accepted post must meet every documented rule, checked here
// independently, and must survive a round trip through JSON; a refusal must say which part.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "blog/post_validation.h"
#include "fuzz_support.h"

namespace fourdollar::fuzz {
namespace {

// Well-formed UTF-8 by the byte ranges of the Unicode standard's table 3-7, a formulation apart
// from the decoder under test. Returns the number of code points, or -1.
long CodePoints(std::string_view text) {
  long count = 0;
  auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  for (size_t i = 0; i < text.size(); ++count) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const size_t left = text.size() - i;
    if (b(0) <= 0x7F) {
      i += 1;
    } else if (in(b(0), 0xC2, 0xDF) && left >= 2 && in(b(1), 0x80, 0xBF)) {
      i += 2;
    } else if (left >= 3 && in(b(2), 0x80, 0xBF) &&
               ((b(0) == 0xE0 && in(b(1), 0xA0, 0xBF)) ||
                ((in(b(0), 0xE1, 0xEC) || in(b(0), 0xEE, 0xEF)) && in(b(1), 0x80, 0xBF)) ||
                (b(0) == 0xED && in(b(1), 0x80, 0x9F)))) {
      i += 3;
    } else if (left >= 4 && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) &&
               ((b(0) == 0xF0 && in(b(1), 0x90, 0xBF)) ||
                (in(b(0), 0xF1, 0xF3) && in(b(1), 0x80, 0xBF)) ||
                (b(0) == 0xF4 && in(b(1), 0x80, 0x8F)))) {
      i += 4;
    } else {
      return -1;
    }
  }
  return count;
}

bool HasControl(std::string_view text, bool allow_tab_lf_cr) {
  for (unsigned char c : text) {
    if (c >= 0x20) continue;
    if (allow_tab_lf_cr && (c == '\t' || c == '\n' || c == '\r')) continue;
    return true;
  }
  return false;
}

}  // namespace
}  // namespace fourdollar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  Result<store::NewPost> post = blog::ParseNewPost(json);
  if (!post) {
    const std::string& message = post.error().message;
    fuzz::Check(post.error().code == ErrorCode::kInvalidArgument,
                "a refusal is not kInvalidArgument");
    fuzz::Check(message.starts_with("title") || message.starts_with("body") ||
                    message.starts_with("request body"),
                "a refusal does not name the part at fault: " + message);
    return 0;
  }
  const long title_chars = fuzz::CodePoints(post->title);
  fuzz::Check(title_chars >= 1 && title_chars <= static_cast<long>(blog::kMaxTitleChars),
              "an accepted title is not 1..200 characters of UTF-8");
  fuzz::Check(!fuzz::HasControl(post->title, false), "an accepted title holds a control character");
  fuzz::Check(post->title.find_first_not_of(' ') != std::string::npos,
              "an accepted title is blank");
  fuzz::Check(!post->body.empty() && post->body.size() <= blog::kMaxBodyBytes,
              "an accepted body is not 1..100000 bytes");
  fuzz::Check(fuzz::CodePoints(post->body) >= 0, "an accepted body is not UTF-8");
  fuzz::Check(!fuzz::HasControl(post->body, true), "an accepted body holds a control character");

  // What was accepted, written out as JSON again, is accepted as the same post.
  boost::json::value again = {{"title", post->title}, {"body", post->body}};
  Result<store::NewPost> reparsed = blog::ParseNewPost(boost::json::serialize(again));
  fuzz::Check(reparsed && reparsed->title == post->title && reparsed->body == post->body,
              "an accepted post does not survive a JSON round trip");
  return 0;
}
