#include "blog/pages.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "blog/markdown.h"

namespace fourdollar::blog {

namespace mustache = kainjow::mustache;

std::string FormatUtcIso8601Ms(int64_t unix_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> time{milliseconds{unix_ms}};
  sys_days day = floor<days>(time);
  year_month_day date{day};
  hh_mm_ss<milliseconds> clock{time - day};
  const int year = static_cast<int>(date.year());
  const int fields[] = {static_cast<int>(static_cast<unsigned>(date.month())),
                        static_cast<int>(static_cast<unsigned>(date.day())),
                        static_cast<int>(clock.hours().count()),
                        static_cast<int>(clock.minutes().count()),
                        static_cast<int>(clock.seconds().count()),
                        static_cast<int>(clock.subseconds().count())};
  if (year < 0 || year > 9999) {
    char text[64];
    int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, fields[0],
                          fields[1], fields[2], fields[3], fields[4], fields[5]);
    return std::string(text, n > 0 ? static_cast<size_t>(n) : 0);
  }
  // Digits written in place: this runs for every title of every list page rendered.
  char text[] = "0000-00-00T00:00:00.000Z";
  auto put = [&text](size_t at, int value, size_t digits) {
    for (size_t i = digits; i-- > 0; value /= 10)
      text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  const size_t at[] = {5, 8, 11, 14, 17, 20};
  for (size_t i = 0; i < 6; ++i) put(at[i], fields[i], i == 5 ? 3 : 2);
  return std::string(text, sizeof text - 1);
}

std::string EscapeHtml(const std::string& text) {
  // A loop rather than find_first_of, which calls memchr over the five characters for each one.
  auto entity = [](char c) -> std::string_view {
    switch (c) {
      case '&':
        return "&amp;";
      case '<':
        return "&lt;";
      case '>':
        return "&gt;";
      case '"':
        return "&quot;";
      case '\'':
        return "&apos;";
      default:
        return {};
    }
  };
  size_t i = 0;
  while (i < text.size() && entity(text[i]).empty()) ++i;
  if (i == text.size()) return text;
  std::string escaped;
  escaped.reserve(text.size() + 32);
  escaped.append(text, 0, i);
  for (; i < text.size(); ++i) {
    const std::string_view replacement = entity(text[i]);
    if (replacement.empty()) {
      escaped += text[i];
    } else {
      escaped += replacement;
    }
  }
  return escaped;
}

PageRenderer::PageRenderer(const Templates& templates)
    : list_(templates.list),
      post_(templates.post),
      not_found_(templates.not_found),
      gone_(templates.gone) {
  for (mustache::mustache* compiled : {&list_, &post_, &not_found_, &gone_}) {
    compiled->set_custom_escape(EscapeHtml);
  }
}

// kainjow's own render(data) goes through a std::ostringstream and copies its result out; its
// handler form appends each finished line to one string, sized from the template's last page.
std::string PageRenderer::Render(mustache::mustache& compiled, const mustache::data& data,
                                 size_t& size_hint) {
  std::string page;
  page.reserve(size_hint);
  compiled.render(data, [&page](const std::string& piece) { page += piece; });
  size_hint = std::max(size_hint, page.size());
  return page;
}

// Values are set in place and moved: kainjow's data copies what it is given (a list of
// objects given whole is copied with every object in it, and push_back copies its object), and
// each copy allocates again. So each item is made empty in the list and filled there: the list
// is ours (made non-const here), kainjow only offers it as const.
std::string PageRenderer::List(std::span<const store::PostSummary> posts, bool front_page,
                               std::optional<int64_t> older_before) {
  mustache::data items(mustache::data::type::list);
  auto& list = const_cast<mustache::list&>(items.list_value());
  list.reserve(posts.size());
  for (const store::PostSummary& post : posts) {
    mustache::data& item = list.emplace_back(mustache::data::type::object);
    std::string created = FormatUtcIso8601Ms(post.created_unix_ms);
    item["id"] = mustache::data(std::to_string(post.id));
    item["title"] = mustache::data(post.title);
    item["created_date"] = mustache::data(created.substr(0, created.find('T')));
    item["created"] = mustache::data(created);
  }
  mustache::data data;
  data["front_page"] = mustache::data(front_page);
  data["has_posts"] = mustache::data(!posts.empty());
  data["posts"] = std::move(items);
  if (older_before) {
    mustache::data older(mustache::data::type::object);
    older["before"] = mustache::data(std::to_string(*older_before));
    data["older"] = std::move(older);
  }
  return Render(list_, data, list_bytes_);
}

std::string PageRenderer::Post(const store::Post& post) {
  mustache::data data;
  data["id"] = mustache::data(std::to_string(post.id));
  data["title"] = mustache::data(post.title);
  data["created"] = mustache::data(FormatUtcIso8601Ms(post.created_unix_ms));
  // Rendered when the post was written; a row stored without its HTML is rendered now.
  data["body_html"] =
      post.body_html ? mustache::data(*post.body_html) : mustache::data(RenderMarkdown(post.body));
  if (post.updated_unix_ms != 0) {
    data["updated"] = mustache::data(FormatUtcIso8601Ms(post.updated_unix_ms));
  }
  return Render(post_, data, post_bytes_);
}

std::string PageRenderer::NotFound() { return not_found_.render(mustache::data()); }

std::string PageRenderer::Gone(int64_t id) {
  mustache::data data;
  data.set("id", std::to_string(id));
  return gone_.render(data);
}

}  // namespace fourdollar::blog
