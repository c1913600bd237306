// Checking the JSON body of POST / and turning it into a post to store.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.h"
#include "store/store.h"

namespace fourdollar::blog {

inline constexpr size_t kMaxTitleChars = 200;    // Unicode code points
inline constexpr size_t kMaxBodyBytes = 100000;  // UTF-8 bytes, after JSON unescaping
inline constexpr size_t kMaxJsonDepth = 8;       // nesting allowed in ignored fields

// Parses `json`, which must be a JSON object with string fields "title" and "body" (other fields
// are ignored), and checks them:
//   title: valid UTF-8, 1..kMaxTitleChars code points, no C0 control character (U+0000..U+001F),
//          not only whitespace;
//   body:  valid UTF-8, 1..kMaxBodyBytes bytes, no C0 control character except tab, LF and CR,
//          Markdown nested no deeper than kMaxMarkdownNesting (blog/markdown.h).
// Errors are kInvalidArgument with a message naming the field and the rule broken, fit to follow
// "400 Bad Request: ", e.g. "title must be 1..200 characters, got 201". The post comes with its
// body rendered to HTML (RenderCheckedMarkdown), to be stored beside the source. Pure;
// thread-safe.
Result<store::NewPost> ParseNewPost(std::string_view json);

}  // namespace fourdollar::blog
