// See screenshot.hpp.
#include "app/screenshot.hpp"

#include <algorithm>
#include <cstddef>

// Debian's libstb already holds stb_image_write's implementation: only the declarations here.
#include <stb_image_write.h>

#include <GL/gl.h>

#include "asynclab/trace/output_file.hpp"

namespace asynclab::vis {

void flip_rows(std::span<std::uint8_t> rgba, int width, int height) {
  const auto row = static_cast<std::size_t>(width) * 4;
  for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom)
    std::swap_ranges(rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(top)),
                     rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(top + 1)),
                     rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(bottom)));
}

std::expected<void, std::string> write_png(const std::filesystem::path& path, const RgbaImage& image) {
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
  };
  const int ok = stbi_write_png_to_func(append, &bytes, image.width, image.height, 4, image.pixels.data(),
                                        image.width * 4);
  if (ok == 0) return std::unexpected("cannot encode the screenshot as PNG: stb_image_write failed");
  return trace::write_output_file(path, bytes);
}

RgbaImage read_back_buffer(int width, int height) {
  RgbaImage image{.width = width, .height = height, .pixels = {}};
  image.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);  // rows of width*4 bytes, no padding
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, image.pixels.data());
  flip_rows(image.pixels, width, height);
  // The window is opaque on screen whatever alpha blending left in the buffer; so is the picture.
  for (std::size_t i = 3; i < image.pixels.size(); i += 4) image.pixels[i] = 255;
  return image;
}

}  // namespace asynclab::vis
