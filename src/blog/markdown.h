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

// `source` as an HTML fragment. Raw HTML in it is shown as text; a link or image whose URL has a
// scheme other than http, https or mailto (javascript:, vbscript:, data:, file:, ...) loses its
// URL and keeps its text. Nesting is not checked (RenderCheckedMarkdown does, when a post is
// written). Pure; thread-safe.
std::string RenderMarkdown(std::string_view source);

// RenderMarkdown's HTML, or kInvalidArgument naming the rule when it nests deeper than
// kMaxMarkdownNesting. The levels are the document and each block and span around a point: a
// quote, a list and its item, a paragraph, a heading, a code block, a table, its section, row and
// cell, emphasis, a link. Counted on the HTML (one pass over it: the source is parsed once), so
// a rule, a line break and an image, which hold nothing there, do not count, nor does what an
// image's text holds (the HTML has it as plain text). Pure; thread-safe.
Result<std::string> RenderCheckedMarkdown(std::string_view source);

// True when a URL as md4c-html writes it into an attribute (percent-escaped, & as &amp;) is safe
// to keep: relative, or http:, https: or mailto: in any letter case. Pure; thread-safe.
bool IsSafeUrl(std::string_view url);

}  // namespace fourdollar::blog
