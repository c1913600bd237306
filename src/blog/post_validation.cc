#include "blog/post_validation.h"

#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "blog/markdown.h"

namespace fourdollar::blog {

namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one code point at `text[*pos]` and advances `*pos`; kInvalid for anything that is not
// strict UTF-8 (overlong forms, surrogates, values past U+10FFFF, truncated sequences).
char32_t NextCodePoint(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(*pos);
  size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    ++*pos;
    return lead;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1Fu, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0Fu, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07u, min = 0x10000;
  } else {
    return kInvalid;
  }
  if (text.size() - *pos < length) return kInvalid;
  for (size_t i = 1; i < length; ++i) {
    unsigned char next = byte(*pos + i);
    if ((next & 0xC0u) != 0x80u) return kInvalid;
    cp = (cp << 6) | (next & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
  *pos += length;
  return cp;
}

// Unicode White_Space, plus the invisible zero-width space and byte order mark: a title made of
// these alone shows as nothing.
bool IsBlank(char32_t cp) {
  switch (cp) {
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0x200B:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string CodePointName(char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name = "U+";
  for (int shift = 12; shift >= 0; shift -= 4) name += kHex[(cp >> shift) & 0xFu];
  return name;
}

std::string_view KindName(boost::json::kind kind) {
  switch (kind) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "unknown";
}

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Status CheckTitle(std::string_view title) {
  size_t chars = 0;
  bool blank = true;
  for (size_t pos = 0; pos < title.size();) {
    size_t at = pos;
    char32_t cp = NextCodePoint(title, &pos);
    if (cp == kInvalid) {
      return Invalid("title is not valid UTF-8 (at byte " + std::to_string(at) + ")");
    }
    if (cp < 0x20) {
      return Invalid("title must not contain control characters, found " + CodePointName(cp) +
                     " at character " + std::to_string(chars + 1));
    }
    blank = blank && IsBlank(cp);
    ++chars;
  }
  if (chars == 0 || chars > kMaxTitleChars) {
    return Invalid("title must be 1.." + std::to_string(kMaxTitleChars) + " characters, got " +
                   std::to_string(chars));
  }
  if (blank) return Invalid("title must not be only whitespace");
  return {};
}

Status CheckBody(std::string_view body) {
  if (body.empty() || body.size() > kMaxBodyBytes) {
    return Invalid("body must be 1.." + std::to_string(kMaxBodyBytes) + " bytes, got " +
                   std::to_string(body.size()));
  }
  for (size_t pos = 0; pos < body.size();) {
    // Most of a body is printable ASCII, which needs no decoding.
    if (const unsigned char byte = static_cast<unsigned char>(body[pos]);
        byte >= 0x20 && byte < 0x80) {
      ++pos;
      continue;
    }
    size_t at = pos;
    char32_t cp = NextCodePoint(body, &pos);
    if (cp == kInvalid) {
      return Invalid("body is not valid UTF-8 (at byte " + std::to_string(at) + ")");
    }
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
      return Invalid("body must not contain control characters other than tab, LF and CR, found " +
                     CodePointName(cp) + " at byte " + std::to_string(at));
    }
  }
  return {};
}

Result<std::string_view> StringField(const boost::json::object& object, std::string_view name) {
  const boost::json::value* field = object.if_contains(name);
  if (field == nullptr) return Invalid(std::string(name) + " is missing");
  if (!field->is_string()) {
    return Invalid(std::string(name) + " must be a string, got " +
                   std::string(KindName(field->kind())));
  }
  const boost::json::string& text = field->get_string();
  return std::string_view(text.data(), text.size());
}

Result<store::NewPost> ParseObject(const boost::json::value& root) {
  if (!root.is_object()) {
    return Invalid("request body must be a JSON object, got " + std::string(KindName(root.kind())));
  }
  const boost::json::object& object = root.get_object();
  Result<std::string_view> title = StringField(object, "title");
  if (!title) return tl::unexpected(title.error());
  Result<std::string_view> body = StringField(object, "body");
  if (!body) return tl::unexpected(body.error());
  if (Status ok = CheckTitle(*title); !ok) return tl::unexpected(ok.error());
  if (Status ok = CheckBody(*body); !ok) return tl::unexpected(ok.error());
  // Rendered here, on the loop thread that took the request, so that the single writer only
  // stores it: a post is rendered once, when written.
  Result<std::string> html = RenderCheckedMarkdown(*body);
  if (!html) return tl::unexpected(html.error());
  return store::NewPost{std::string(*title), std::string(*body), std::move(*html)};
}

}  // namespace

Result<store::NewPost> ParseNewPost(std::string_view json) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  options.allow_invalid_utf8 = false;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  try {
    // The parsed tree lives only for this call: one arena, freed at once.
    boost::json::monotonic_resource arena;
    boost::system::error_code ec;
    boost::json::value root =
        boost::json::parse(boost::json::string_view(json.data(), json.size()), ec, &arena, options);
    if (ec) {
      // Boost.JSON calls bytes that are not UTF-8 a "syntax error", which does not say what is
      // wrong; name the byte instead. Only refused bodies pay for this scan.
      for (size_t pos = 0; pos < json.size();) {
        size_t at = pos;
        if (NextCodePoint(json, &pos) == kInvalid) {
          return Invalid("request body is not valid UTF-8 (at byte " + std::to_string(at) + ")");
        }
      }
      return Invalid("request body is not valid JSON: " + ec.message());
    }
    return ParseObject(root);
  } catch (const std::exception& e) {
    // Only allocation failures or size limits inside the parser can land here.
    return Invalid(std::string("request body could not be parsed: ") + e.what());
  }
}

}  // namespace fourdollar::blog
