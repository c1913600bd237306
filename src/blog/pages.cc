#include "blog/pages.h"

#include <chrono>
#include <cstdio>

#include "blog/markdown.h"

namespace fourdollar::blog {

namespace mustache = kainjow::mustache;

std::string FormatUtcIso8601Ms(int64_t unix_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> time{milliseconds{unix_ms}};
  sys_days day = floor<days>(time);
  year_month_day date{day};
  hh_mm_ss<milliseconds> clock{time - day};
  char text[64];
  int n = std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return std::string(text, n > 0 ? static_cast<size_t>(n) : 0);
}

PageRenderer::PageRenderer(const Templates& templates)
    : list_(templates.list),
      post_(templates.post),
      not_found_(templates.not_found),
      gone_(templates.gone) {}

std::string PageRenderer::List(const store::PostList& posts, bool front_page,
                               std::optional<int64_t> older_before) {
  mustache::list items;
  items.reserve(posts.size());
  for (const store::PostSummary& post : posts) {
    std::string created = FormatUtcIso8601Ms(post.created_unix_ms);
    mustache::object item{{"id", std::to_string(post.id)},
                          {"title", post.title},
                          {"created_date", created.substr(0, created.find('T'))},
                          {"created", std::move(created)}};
    items.emplace_back(std::move(item));
  }
  mustache::data data;
  data.set("front_page",
           front_page ? mustache::data::type::bool_true : mustache::data::type::bool_false);
  data.set("has_posts",
           posts.empty() ? mustache::data::type::bool_false : mustache::data::type::bool_true);
  data.set("posts", mustache::data(std::move(items)));
  if (older_before) data.set("older", mustache::object{{"before", std::to_string(*older_before)}});
  return list_.render(data);
}

std::string PageRenderer::Post(const store::Post& post) {
  mustache::data data;
  data.set("id", std::to_string(post.id));
  data.set("title", post.title);
  data.set("created", FormatUtcIso8601Ms(post.created_unix_ms));
  // Rendered when the post was written; a row stored without its HTML is rendered now.
  data.set("body_html", post.body_html ? *post.body_html : RenderMarkdown(post.body));
  if (post.updated_unix_ms != 0) data.set("updated", FormatUtcIso8601Ms(post.updated_unix_ms));
  return post_.render(data);
}

std::string PageRenderer::NotFound() { return not_found_.render(mustache::data()); }

std::string PageRenderer::Gone(int64_t id) {
  mustache::data data;
  data.set("id", std::to_string(id));
  return gone_.render(data);
}

}  // namespace fourdollar::blog
