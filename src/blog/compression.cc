#include "blog/compression.h"

#include <brotli/encode.h>
#include <zlib.h>

namespace fourdollar::blog {

std::string GzipCompress(std::string_view data) {
  z_stream stream{};
  // 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  const size_t size = stream.total_out;
  deflateEnd(&stream);
  if (result != Z_STREAM_END || size >= data.size()) return {};
  out.resize(size);
  return out;
}

std::string BrotliCompress(std::string_view data) {
  size_t size = BrotliEncoderMaxCompressedSize(data.size());
  if (size == 0) return {};
  std::string out(size, '\0');
  // A window no larger than the page: the encoder's tables scale with it, and clearing 4 MiB
  // of them for a 5 KiB page would cost more than compressing it.
  int window_bits = BROTLI_MIN_WINDOW_BITS;
  while (window_bits < BROTLI_DEFAULT_WINDOW && (size_t{1} << window_bits) < data.size()) {
    ++window_bits;
  }
  if (!BrotliEncoderCompress(5, window_bits, BROTLI_MODE_TEXT, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data())) ||
      size >= data.size()) {
    return {};
  }
  out.resize(size);
  return out;
}

}  // namespace fourdollar::blog
