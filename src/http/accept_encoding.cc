#include "http/accept_encoding.h"

#include "http/message.h"

namespace fourdollar::http {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// q-values have at most three decimals (RFC 9110 12.4.2): kept in thousandths. Malformed: 0.
int ParseQ(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    std::string_view value = param.substr(2);
    if (value.empty() || (value[0] != '0' && value[0] != '1')) return 0;
    int q = (value[0] - '0') * 1000;
    if (value.size() > 1) {
      if (value[1] != '.' || value.size() > 5) return 0;
      int scale = 100;
      for (char c : value.substr(2)) {
        if (c < '0' || c > '9') return 0;
        q += (c - '0') * scale;
        scale /= 10;
      }
    }
    return q > 1000 ? 0 : q;
  }
  return 1000;
}

}  // namespace

ContentCoding ChooseCoding(std::string_view accept_encoding, bool gzip_available,
                           bool br_available) {
  int gzip_q = -1, br_q = -1, star_q = -1;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    int q = semi == std::string_view::npos ? 1000 : ParseQ(item.substr(semi + 1));
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_q = q;
    } else if (EqualsIgnoreCase(coding, "br")) {
      br_q = q;
    } else if (coding == "*") {
      star_q = q;
    }
  }
  if (gzip_q < 0) gzip_q = star_q;
  if (br_q < 0) br_q = star_q;
  if (!gzip_available) gzip_q = 0;
  if (!br_available) br_q = 0;
  if (br_q > 0 && br_q >= gzip_q) return ContentCoding::kBrotli;
  if (gzip_q > 0) return ContentCoding::kGzip;
  return ContentCoding::kIdentity;
}

}  // namespace fourdollar::http
