#include "blog/pages.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "blog/markdown.h"

namespace fourdollar::blog {

namespace mustache = kainjow::mustache;

void AssignUtcIso8601Ms(int64_t unix_ms, std::string& out) {
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
    out.assign(text, n > 0 ? static_cast<size_t>(n) : 0);
    return;
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
  out.assign(text, sizeof text - 1);
}

std::string FormatUtcIso8601Ms(int64_t unix_ms) {
  std::string text;
  AssignUtcIso8601Ms(unix_ms, text);
  return text;
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

namespace {

// The string under `key` in `object`, made an empty string first when `key` held anything else;
// returned for filling in place, which kainjow does not offer (its values are const to
// callers). The string is kainjow's and stays where it is while `object` lives, since kainjow
// holds every value behind a pointer of its own.
std::string* StringSlot(mustache::data& object, const std::string& key) {
  mustache::data& value = object[key];
  if (!value.is_string()) value = mustache::data(mustache::data::type::string);
  return const_cast<std::string*>(&value.string_value());
}

void AssignId(int64_t id, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, id).ptr;
  out.assign(digits, end);
}

}  // namespace

PageRenderer::PageRenderer(const Templates& templates)
    : list_(templates.list),
      post_(templates.post),
      not_found_(templates.not_found),
      gone_(templates.gone) {
  for (mustache::mustache* compiled : {&list_, &post_, &not_found_, &gone_}) {
    compiled->set_custom_escape(EscapeHtml);
  }
  list_data_["posts"] = mustache::data(mustache::data::type::list);
  list_data_["older"] = mustache::data(false);
  post_slots_ = {StringSlot(post_data_, "id"), StringSlot(post_data_, "title"),
                 StringSlot(post_data_, "created"), StringSlot(post_data_, "body_html")};
  post_data_["updated"] = mustache::data(false);
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

// The items are kainjow's, kept from the last page and filled again: after the first pages no
// item, entry or string is allocated (the list is ours, made non-const here; kainjow offers it
// only as const). An absent `older` is false rather than missing, which renders the same.
std::string PageRenderer::List(std::span<const store::PostSummary> posts, bool front_page,
                               std::optional<int64_t> older_before) {
  list_data_["front_page"] = mustache::data(front_page);
  list_data_["has_posts"] = mustache::data(!posts.empty());
  auto& list = const_cast<mustache::list&>(list_data_["posts"].list_value());
  if (list.size() > posts.size()) {
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(posts.size()), list.end());
    list_items_.resize(posts.size());
  }
  if (list.size() < posts.size()) {
    // Growing the list copies its items (kainjow's move is not noexcept), so every item's
    // strings are found again.
    while (list.size() < posts.size()) list.emplace_back(mustache::data::type::object);
    list_items_.clear();
    for (mustache::data& item : list) {
      list_items_.push_back({StringSlot(item, "id"), StringSlot(item, "title"),
                             StringSlot(item, "created_date"), StringSlot(item, "created")});
    }
  }
  for (size_t i = 0; i < posts.size(); ++i) {
    const ListItem& item = list_items_[i];
    AssignId(posts[i].id, *item.id);
    *item.title = posts[i].title;
    AssignUtcIso8601Ms(posts[i].created_unix_ms, *item.created);
    item.created_date->assign(*item.created, 0, item.created->find('T'));
  }
  if (older_before) {
    if (older_before_ == nullptr) {
      mustache::data older(mustache::data::type::object);
      older_before_ = StringSlot(older, "before");
      list_data_["older"] = std::move(older);
    }
    AssignId(*older_before, *older_before_);
  } else if (older_before_ != nullptr) {
    list_data_["older"] = mustache::data(false);
    older_before_ = nullptr;
  }
  return Render(list_, list_data_, list_bytes_);
}

// Filled in place as the list is. The body's string keeps the room of the longest body shown so
// far (at most the body limit) for this renderer's life.
std::string PageRenderer::Post(const store::Post& post) {
  AssignId(post.id, *post_slots_.id);
  *post_slots_.title = post.title;
  AssignUtcIso8601Ms(post.created_unix_ms, *post_slots_.created);
  // Rendered when the post was written; a row stored without its HTML is rendered now.
  if (post.body_html) {
    *post_slots_.body_html = *post.body_html;
  } else {
    *post_slots_.body_html = RenderMarkdown(post.body);
  }
  if (post.updated_unix_ms != 0) {
    if (post_slots_.updated == nullptr) post_slots_.updated = StringSlot(post_data_, "updated");
    AssignUtcIso8601Ms(post.updated_unix_ms, *post_slots_.updated);
  } else if (post_slots_.updated != nullptr) {
    post_data_["updated"] = mustache::data(false);
    post_slots_.updated = nullptr;
  }
  return Render(post_, post_data_, post_bytes_);
}

std::string PageRenderer::NotFound() { return not_found_.render(mustache::data()); }

std::string PageRenderer::Gone(int64_t id) {
  mustache::data data;
  data.set("id", std::to_string(id));
  return gone_.render(data);
}

}  // namespace fourdollar::blog
