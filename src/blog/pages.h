// Rendering the HTML pages from store data with the Mustache templates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <kainjow/mustache.hpp>

#include "blog/templates.h"
#include "store/store.h"

namespace fourdollar::blog {

// "2026-11-26T15:04:05.123Z": ISO 8601, UTC, millisecond precision. Pure; thread-safe.
std::string FormatUtcIso8601Ms(int64_t unix_ms);

// What {{name}} inserts: `text` with & < > " ' as entities (the five kainjow's default escapes),
// copied a run of plain characters at a time. Pure; thread-safe.
std::string EscapeHtml(const std::string& text);

// Holds a compiled copy of each template. Rendering mutates the compiled templates (kainjow's
// render is not const), so each thread needs its own PageRenderer: not thread-safe.
class PageRenderer {
 public:
  // Precondition: the templates parse (LoadTemplates checks it); one that does not renders as "".
  explicit PageRenderer(const Templates& templates);
  PageRenderer(const PageRenderer&) = delete;
  PageRenderer& operator=(const PageRenderer&) = delete;

  // A page of post titles, newest first. `front_page`: this is "/" rather than "/?before=N".
  // `older_before`: when set, the page links to "/?before=<older_before>".
  std::string List(std::span<const store::PostSummary> posts, bool front_page,
                   std::optional<int64_t> older_before);
  std::string Post(const store::Post& post);
  std::string NotFound();
  std::string Gone(int64_t id);

 private:
  static std::string Render(kainjow::mustache::mustache& compiled,
                            const kainjow::mustache::data& data, size_t& size_hint);

  kainjow::mustache::mustache list_;
  kainjow::mustache::mustache post_;
  kainjow::mustache::mustache not_found_;
  kainjow::mustache::mustache gone_;
  size_t list_bytes_ = 0;  // the largest page of each made so far: the next one's reservation
  size_t post_bytes_ = 0;
};

}  // namespace fourdollar::blog
