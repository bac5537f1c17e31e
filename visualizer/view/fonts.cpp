// See fonts.hpp.
#include "view/fonts.hpp"

#include <system_error>

#include <fmt/format.h>
#include <imgui.h>

namespace asynclab::vis {

namespace {

ImFont* mono = nullptr;
ImFont* bold = nullptr;
ImFont* italic = nullptr;
ImFont* heading = nullptr;

// Latin-1 plus the punctuation, arrows and shapes the lessons and views use (— … → ← ● ▶ µ ·).
// ImGui keeps a pointer to this until the atlas is built, so it must outlive the call.
constexpr ImWchar glyph_ranges[] = {
    0x0020, 0x00FF,  // Basic Latin, Latin-1 Supplement
    0x0370, 0x03FF,  // Greek (λ, Δ)
    0x2000, 0x206F,  // General Punctuation
    0x2190, 0x21FF,  // Arrows
    0x2200, 0x22FF,  // Mathematical Operators (≤ ≥ ≠)
    0x2500, 0x257F,  // Box Drawing
    0x25A0, 0x25FF,  // Geometric Shapes
    0x2600, 0x26FF,  // Miscellaneous Symbols (⚠)
    0x2700, 0x27BF,  // Dingbats (✓ ✗)
    0,
};

ImFont* add_font(const std::filesystem::path& file, float pixels, std::ostream* err) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (err != nullptr)
      *err << fmt::format("asynclab gui: warning: font '{}' not found (install fonts-dejavu-core); using ImGui's built-in font\n",
                       file.string());
    return nullptr;
  }
  ImFontConfig config;
  config.OversampleH = 2;
  config.OversampleV = 1;
  return ImGui::GetIO().Fonts->AddFontFromFileTTF(file.c_str(), pixels, &config, glyph_ranges);
}

}  // namespace

LoadedFonts load_fonts(const FontRequest& request, std::ostream& err) {
  ImGuiIO& io = ImGui::GetIO();
  const float pixels = request.size_px * (request.content_scale > 0 ? request.content_scale : 1.0f);
  LoadedFonts loaded{.pixel_size = pixels, .regular = "ImGui default", .mono = "ImGui default"};

  // The first font added is ImGui's default, so the text font goes in first.
  ImFont* regular = add_font(request.directory / "DejaVuSans.ttf", pixels, &err);
  if (regular != nullptr) {
    loaded.regular = "DejaVuSans.ttf";
  } else {
    ImFontConfig config;
    config.SizePixels = pixels;  // the built-in bitmap font, scaled: blurry but readable
    regular = io.Fonts->AddFontDefault(&config);
  }
  mono = add_font(request.directory / "DejaVuSansMono.ttf", pixels, &err);
  if (mono != nullptr)
    loaded.mono = "DejaVuSansMono.ttf";
  else
    mono = regular;
  bold = add_font(request.directory / "DejaVuSans-Bold.ttf", pixels, nullptr);
  italic = add_font(request.directory / "DejaVuSans-Oblique.ttf", pixels, nullptr);
  heading = add_font(request.directory / "DejaVuSans-Bold.ttf", pixels * 1.3f, nullptr);
  for (ImFont** face : {&bold, &italic, &heading})
    if (*face == nullptr) *face = regular;
  io.FontDefault = regular;
  return loaded;
}

ImFont* mono_font() { return mono != nullptr ? mono : ImGui::GetFont(); }
ImFont* bold_font() { return bold != nullptr ? bold : ImGui::GetFont(); }
ImFont* italic_font() { return italic != nullptr ? italic : ImGui::GetFont(); }
ImFont* heading_font() { return heading != nullptr ? heading : ImGui::GetFont(); }

}  // namespace asynclab::vis
