#include "store/printable_url.h"

namespace fourdollar::store {

std::string ElidePassword(std::string_view url) {
  size_t authority = url.find("://");
  if (authority == std::string_view::npos) return std::string(url);
  authority += 3;
  size_t at = url.find('@', authority);
  size_t colon = url.find(':', authority);
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) {
    return std::string(url);
  }
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace fourdollar::store
