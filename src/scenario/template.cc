#include "scenario/template.h"

#include <array>
#include <charconv>
#include <utility>

namespace fourdollar::scenario {
namespace {

using Kind = TemplatePart::Kind;

constexpr std::array<std::string_view, 200> kWords = {
    "the",      "of",        "and",    "to",     "in",     "is",     "you",    "that",
    "it",       "he",        "was",    "for",    "on",     "are",    "as",     "with",
    "his",      "they",      "at",     "be",     "this",   "have",   "from",   "or",
    "one",      "had",       "by",     "word",   "but",    "not",    "what",   "all",
    "were",     "we",        "when",   "your",   "can",    "said",   "there",  "use",
    "an",       "each",      "which",  "she",    "do",     "how",    "their",  "if",
    "will",     "up",        "other",  "about",  "out",    "many",   "then",   "them",
    "these",    "so",        "some",   "her",    "would",  "make",   "like",   "him",
    "into",     "time",      "has",    "look",   "two",    "more",   "write",  "go",
    "see",      "number",    "no",     "way",    "could",  "people", "my",     "than",
    "first",    "water",     "been",   "call",   "who",    "oil",    "its",    "now",
    "find",     "long",      "down",   "day",    "did",    "get",    "come",   "made",
    "may",      "part",      "over",   "new",    "sound",  "take",   "only",   "little",
    "work",     "know",      "place",  "year",   "live",   "me",     "back",   "give",
    "most",     "very",      "after",  "thing",  "our",    "just",   "name",   "good",
    "sentence", "man",       "think",  "say",    "great",  "where",  "help",   "through",
    "much",     "before",    "line",   "right",  "too",    "mean",   "old",    "any",
    "same",     "tell",      "boy",    "follow", "came",   "want",   "show",   "also",
    "around",   "form",      "three",  "small",  "set",    "put",    "end",    "does",
    "another",  "well",      "large",  "must",   "big",    "even",   "such",   "because",
    "turn",     "here",      "why",    "ask",    "went",   "men",    "read",   "need",
    "land",     "different", "home",   "us",     "move",   "try",    "kind",   "hand",
    "picture",  "again",     "change", "off",    "play",   "spell",  "air",    "away",
    "animal",   "house",     "point",  "page",   "letter", "mother", "answer", "found",
    "study",    "still",     "learn",  "should", "world",  "high",   "every",  "near",
};

constexpr int64_t kMaxWords = 1'000'000;
constexpr int64_t kMaxTextChars = 16 * 1024 * 1024;

bool IsIdentifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view s, int64_t* value) {
  s = Trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

constexpr std::string_view kKnown =
    "known generators are random.words(min,max), random.text(min,max), random.int(min,max), "
    "random.uuid, vu and iteration";

Result<TemplatePart> ParseExpression(std::string_view expr) {
  const std::string shown = "${" + std::string(expr) + "}";
  expr = Trim(expr);
  TemplatePart part;
  if (expr == "vu") {
    part.kind = Kind::kVu;
    return part;
  }
  if (expr == "iteration") {
    part.kind = Kind::kIteration;
    return part;
  }
  if (IsIdentifier(expr)) {
    part.kind = Kind::kVariable;
    part.text = std::string(expr);
    return part;
  }
  if (!expr.starts_with("random.")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     shown + " is neither a variable name (letters, digits, _) nor a generator; " +
                         std::string(kKnown));
  }
  const std::string_view call = expr.substr(7);
  if (call == "uuid" || call == "uuid()") {
    part.kind = Kind::kUuid;
    return part;
  }
  const size_t open = call.find('(');
  const std::string_view function = Trim(call.substr(0, open));
  if (function == "words") {
    part.kind = Kind::kRandomWords;
  } else if (function == "text") {
    part.kind = Kind::kRandomText;
  } else if (function == "int") {
    part.kind = Kind::kRandomInt;
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown generator " + shown + "; " + std::string(kKnown));
  }
  const size_t comma = call.find(',', open);
  if (open == std::string_view::npos || !call.ends_with(')') || comma == std::string_view::npos ||
      !ParseInt(call.substr(open + 1, comma - open - 1), &part.min) ||
      !ParseInt(call.substr(comma + 1, call.size() - comma - 2), &part.max)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        shown + ": expected random." + std::string(function) + "(min,max) with two integers");
  }
  if (part.min > part.max) {
    return MakeError(ErrorCode::kInvalidArgument, shown + ": min is greater than max");
  }
  const int64_t limit = part.kind == Kind::kRandomWords  ? kMaxWords
                        : part.kind == Kind::kRandomText ? kMaxTextChars
                                                         : INT64_MAX;
  if (part.kind != Kind::kRandomInt && (part.min < 0 || part.max > limit)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     shown + ": bounds must be within 0.." + std::to_string(limit));
  }
  return part;
}

void AppendWords(int64_t count, Random& random, std::string* out) {
  for (int64_t i = 0; i < count; ++i) {
    if (i > 0) out->push_back(' ');
    out->append(kWords[random.Pick(kWords.size())]);
  }
}

// Sentences of 4 to 14 words, capitalised, with an occasional comma, cut at exactly `chars`.
void AppendText(int64_t chars, Random& random, std::string* out) {
  const size_t end = out->size() + static_cast<size_t>(chars);
  out->reserve(end);
  bool sentence_start = true;
  int64_t words_left = random.Uniform(4, 14);
  while (out->size() < end) {
    const size_t word_at = out->size();
    out->append(kWords[random.Pick(kWords.size())]);
    if (sentence_start) (*out)[word_at] = static_cast<char>((*out)[word_at] - 'a' + 'A');
    sentence_start = false;
    if (--words_left == 0) {
      out->append(". ");
      sentence_start = true;
      words_left = random.Uniform(4, 14);
    } else if (random.Chance(0.08)) {
      out->append(", ");
    } else {
      out->push_back(' ');
    }
  }
  out->resize(end);
}

void AppendUuid(Random& random, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  uint64_t high = random.Next();
  uint64_t low = random.Next();
  high = (high & ~0xf000ULL) | 0x4000ULL;          // version 4
  low = (low & ~(0xcULL << 60)) | (0x8ULL << 60);  // RFC 4122 variant
  char buffer[36];
  int at = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buffer[at++] = '-';
    const uint64_t word = i < 16 ? high : low;
    buffer[at++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xf];
  }
  out->append(buffer, sizeof buffer);
}

void AppendInt(int64_t value, std::string* out) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, result.ptr);
}

}  // namespace

void AppendLiteral(std::string_view text, Template* to) {
  if (text.empty()) return;
  if (!to->parts.empty() && to->parts.back().kind == Kind::kLiteral) {
    to->parts.back().text.append(text);
    return;
  }
  TemplatePart part;
  part.text = std::string(text);
  to->parts.push_back(std::move(part));
}

void AppendPart(TemplatePart part, Template* to) {
  if (part.kind == Kind::kLiteral) {
    AppendLiteral(part.text, to);
  } else {
    to->parts.push_back(std::move(part));
  }
}

Result<Template> ParseTemplate(std::string_view text, bool json_escaped) {
  Template result;
  std::string literal;
  size_t at = 0;
  while (at < text.size()) {
    const size_t dollar = text.find('$', at);
    if (dollar == std::string_view::npos) {
      literal.append(text.substr(at));
      break;
    }
    literal.append(text.substr(at, dollar - at));
    if (text.substr(dollar).starts_with("$${")) {
      literal.append("${");
      at = dollar + 3;
      continue;
    }
    if (!text.substr(dollar).starts_with("${")) {
      literal.push_back('$');
      at = dollar + 1;
      continue;
    }
    const size_t close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unterminated ${ (no closing }); write $${ for a literal ${");
    }
    auto part = ParseExpression(text.substr(dollar + 2, close - dollar - 2));
    if (!part) return tl::unexpected(part.error());
    part->json_escaped = json_escaped;
    AppendLiteral(literal, &result);
    literal.clear();
    result.parts.push_back(std::move(*part));
    at = close + 1;
  }
  AppendLiteral(literal, &result);
  return result;
}

bool AppendTemplate(const Template& tmpl, const VariableLookup& captured, Random& random,
                    int64_t vu, int64_t iteration, std::string* out) {
  bool complete = true;
  for (const TemplatePart& part : tmpl.parts) {
    if (part.kind == Kind::kLiteral) {
      out->append(part.text);
      continue;
    }
    if (part.kind == Kind::kVariable) {
      const std::string* value = captured ? captured(part.text) : nullptr;
      if (value == nullptr) {
        complete = false;
      } else if (part.json_escaped) {
        AppendJsonEscaped(*value, out);
      } else {
        out->append(*value);
      }
      continue;
    }
    // Generators produce only letters, digits, spaces, '-', ',' and '.', which JSON strings
    // take as they are: no escaping needed.
    switch (part.kind) {
      case Kind::kRandomWords:
        AppendWords(random.Uniform(part.min, part.max), random, out);
        break;
      case Kind::kRandomText:
        AppendText(random.Uniform(part.min, part.max), random, out);
        break;
      case Kind::kRandomInt:
        AppendInt(random.Uniform(part.min, part.max), out);
        break;
      case Kind::kUuid:
        AppendUuid(random, out);
        break;
      case Kind::kVu:
        AppendInt(vu, out);
        break;
      case Kind::kIteration:
        AppendInt(iteration, out);
        break;
      case Kind::kLiteral:
      case Kind::kVariable:
        break;
    }
  }
  return complete;
}

std::string ExpandTemplate(const Template& tmpl, const VariableLookup& captured, Random& random,
                           int64_t vu, int64_t iteration) {
  std::string out;
  AppendTemplate(tmpl, captured, random, vu, iteration, &out);
  return out;
}

void AppendJsonEscaped(std::string_view text, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  size_t plain_from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.substr(plain_from, i - plain_from));
    plain_from = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out->append(escaped, sizeof escaped);
      }
    }
  }
  out->append(text.substr(plain_from));
}

std::span<const std::string_view> RandomWordList() { return kWords; }

}  // namespace fourdollar::scenario
