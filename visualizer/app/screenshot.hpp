#pragma once
// `asynclab gui --screenshot PNG`: the last frame drawn, read back from OpenGL and saved as a PNG.
//
// Rules:
// * Read the back buffer after rendering and before glfwSwapBuffers: after the swap its contents
//   are undefined.
// * OpenGL's rows run bottom to top; a PNG's run top to bottom, so the rows are flipped once.
// * The PNG is written through a temporary file and renamed, so a half-written image never exists.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace asynclab::vis {

// An RGBA image, 4 bytes per pixel, rows top to bottom.
struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
};

// Reverses the order of the rows of a `width` x `height` RGBA image, in place.
void flip_rows(std::span<std::uint8_t> rgba, int width, int height);

// Encodes `image` as PNG (stb_image_write) and writes it atomically.
std::expected<void, std::string> write_png(const std::filesystem::path& path, const RgbaImage& image);

// Reads the current context's back buffer (`width` x `height` framebuffer pixels) into an image,
// top row first. Needs a current OpenGL context.
RgbaImage read_back_buffer(int width, int height);

}  // namespace asynclab::vis
