#include <cstdio>

int main() {
  std::fprintf(stderr, "fourdollar: not built yet\n");
  return 1;
}
