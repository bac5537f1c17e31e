#pragma once
// The GUI's fonts: DejaVu Sans for prose and DejaVu Sans Mono for code, task names and numbers that
// must line up in columns. Sizes are chosen for a classroom projector as much as a laptop: 17 px in
// normal mode, 28 px in presentation mode, both multiplied by the monitor's content scale so a HiDPI
// screen gets sharper text rather than smaller text.
//
// Lessons add DejaVu Sans Bold (strong text), Bold at 1.3× (headings) and Oblique (emphasis; from
// fonts-dejavu-extra). If the files are missing (fonts-dejavu-core is not installed) ImGui's
// built-in bitmap font stands in, with a warning: the GUI still opens, only plainer. A missing bold
// or oblique face falls back to the text font without a warning.
#include <filesystem>
#include <ostream>
#include <string>

struct ImFont;

namespace asynclab::vis {

inline constexpr float normal_font_px = 17.0f;
inline constexpr float presentation_font_px = 28.0f;
// Presentation mode's type for a window `height` pixels tall: 28 px from 840 px up, smaller below so
// that a 1280x720 projector still shows the step's Notice, the timeline and the focused window
// (24 px there: still readable from the back of a room), never under 20.
inline float presentation_font_px_for(int height) {
  const float scaled = static_cast<float>(height / 30);  // whole pixels
  return scaled >= presentation_font_px ? presentation_font_px : (scaled < 20.0f ? 20.0f : scaled);
}

struct FontRequest {
  float size_px = normal_font_px;  // before content scale
  float content_scale = 1.0f;      // glfwGetWindowContentScale: 1 on most screens, 2 on HiDPI
  std::filesystem::path directory = "/usr/share/fonts/truetype/dejavu";
};

struct LoadedFonts {
  float pixel_size = 0;     // the size the atlas was built at
  std::string regular;      // the file the text font came from, or "ImGui default"
  std::string mono;         // likewise for the monospace font
};

// Adds both fonts to the current ImGui context's atlas; call once before the first frame. The text
// font becomes the default; warnings (a missing file) go to `err`.
LoadedFonts load_fonts(const FontRequest& request, std::ostream& err);

// The monospace font loaded by load_fonts (ImGui's default font if none was). Views push it around
// code and columns: ImGui::PushFont(mono_font()) ... ImGui::PopFont().
ImFont* mono_font();
// The lesson text's faces (each falls back to the text font when its file is missing).
ImFont* bold_font();
ImFont* italic_font();
ImFont* heading_font();

}  // namespace asynclab::vis
