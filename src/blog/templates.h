// The Mustache sources of the HTML pages: built-in defaults, or files from a directory.
#pragma once

#include <string>

#include "base/result.h"

namespace fourdollar::blog {

// Template sources, loaded once at start-up and shared read-only by all threads.
//   list:      data front_page (bool), has_posts (bool), posts (list of id, title, created,
//              created_date), older (present when an older page may exist: before).
//   post:      data id, title, created (ISO 8601 UTC with milliseconds), body_html (the body's
//              Markdown rendered by blog/markdown.h: safe HTML, inserted with {{{body_html}}}),
//              updated (present when the post was edited: ISO 8601 like created).
//   not_found: no data.
//   gone:      data id (a deleted post's page).
// Values are HTML-escaped by {{name}}; a template that uses {{{name}}} takes on the escaping.
struct Templates {
  std::string list;
  std::string post;
  std::string not_found;
  std::string gone;
};

// The templates compiled into the binary (src/blog/templates/*.mustache).
Templates DefaultTemplates();

// "" gives the defaults. Otherwise `dir` must be a directory; DIR/list.mustache,
// DIR/post.mustache, DIR/not_found.mustache and DIR/gone.mustache replace the defaults they name,
// and a missing file keeps its default. An unreadable, oversized (> 1 MiB) or unparsable file is an
// error naming the file (and the Mustache error). Thread-safe.
Result<Templates> LoadTemplates(const std::string& dir);

// Checks that `source` is a valid Mustache template; the error is the parser's message.
Status CheckTemplate(const std::string& source);

}  // namespace fourdollar::blog
