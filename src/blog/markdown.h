// Post bodies are Markdown: CommonMark with tables, fenced code, autolinks and strikethrough,
// rendered to an HTML fragment by md4c (Debian's libmd4c and libmd4c-html).
//
// Why md4c rather than cmark-gfm: it passes the CommonMark spec, turns on the GitHub extensions
// by flags, is one small C library with a parser that runs in linear time by design, and
// MD_FLAG_NOHTML makes it show raw HTML in the source as text instead of passing it through.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::blog {

// Blocks and spans nested deeper than this (quotes in quotes, lists in lists, links in emphasis)
// are refused before rendering, so a page never asks a browser to lay out 100,000 levels.
inline constexpr int kMaxMarkdownNesting = 32;

// kInvalidArgument naming the rule when `source` nests deeper than kMaxMarkdownNesting. Runs
// md4c's parser once (linear time). Pure; thread-safe.
Status CheckMarkdown(std::string_view source);

// `source` as an HTML fragment. Raw HTML in it is shown as text; a link or image whose URL has a
// scheme other than http, https or mailto (javascript:, vbscript:, data:, file:, ...) loses its
// URL and keeps its text. Nesting past kMaxMarkdownNesting is not checked here (CheckMarkdown
// does, when a post is written). Pure; thread-safe.
std::string RenderMarkdown(std::string_view source);

// True when a URL as md4c-html writes it into an attribute (percent-escaped, & as &amp;) is safe
// to keep: relative, or http:, https: or mailto: in any letter case. Pure; thread-safe.
bool IsSafeUrl(std::string_view url);

}  // namespace fourdollar::blog
