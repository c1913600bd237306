// Rendering the HTML pages from store data with the Mustache templates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

#include "blog/templates.h"
#include "store/store.h"

namespace fourdollar::blog {

// "2026-11-26T15:04:05.123Z": ISO 8601, UTC, millisecond precision. Pure; thread-safe.
std::string FormatUtcIso8601Ms(int64_t unix_ms);
// The same written over `out`, which keeps its room: no allocation once it has held one.
void AssignUtcIso8601Ms(int64_t unix_ms, std::string& out);

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
  // The data of the last list page and post page, kept to be filled again in place (List,
  // Post): kainjow's data allocates for each object, entry and string it holds. The pointers
  // are to strings inside them.
  struct ListItem {
    std::string* id;
    std::string* title;
    std::string* created_date;
    std::string* created;
  };
  kainjow::mustache::data list_data_;
  std::vector<ListItem> list_items_;     // one per item of list_data_["posts"]
  std::string* older_before_ = nullptr;  // while list_data_["older"] is an object, its "before"
  kainjow::mustache::data post_data_;
  struct {
    std::string* id = nullptr;
    std::string* title = nullptr;
    std::string* created = nullptr;
    std::string* body_html = nullptr;
    std::string* updated = nullptr;  // while post_data_["updated"] is a string, not false
  } post_slots_;
  size_t list_bytes_ = 0;  // the largest page of each made so far: the next one's reservation
  size_t post_bytes_ = 0;
};

}  // namespace fourdollar::blog
