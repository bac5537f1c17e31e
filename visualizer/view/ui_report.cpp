// See ui_report.hpp.
#include "view/ui_report.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "asynclab/trace/output_file.hpp"

namespace asynclab::vis {

void UiReport::begin_frame() {
  ++frames_;
  windows_.clear();
  open_.clear();
  timeline_.reset();
}

void UiReport::begin_window(std::string_view name, bool visible, std::string_view id) {
  windows_.push_back(ReportedWindow{.name = std::string(name), .visible = visible, .items = 0, .texts = {},
                                    .id = std::string(id.empty() ? name : id), .rect = {}, .covered_by = {}, .clipped = {}});
  open_.push_back(windows_.size() - 1);
}

void UiReport::window_rect(const ReportedRect& rect) {
  if (!open_.empty()) windows_[open_.back()].rect = rect;
}

void UiReport::set_covered_by(std::size_t index, std::vector<std::string> names) {
  if (index < windows_.size()) windows_[index].covered_by = std::move(names);
}

void UiReport::end_window() {
  if (!open_.empty()) open_.pop_back();
}

void UiReport::item(std::size_t count) {
  if (!open_.empty()) windows_[open_.back()].items += count;
}

void UiReport::text(std::string_view text) {
  if (open_.empty()) return;
  ReportedWindow& w = windows_[open_.back()];
  ++w.items;
  if (w.texts.size() < max_texts_per_window) w.texts.emplace_back(text);
}

void UiReport::clipped(std::string_view text) {
  if (open_.empty()) return;
  ReportedWindow& w = windows_[open_.back()];
  if (w.clipped.size() < max_texts_per_window) w.clipped.emplace_back(text);
}

void UiReport::error(std::string_view message) {
  if (std::ranges::find(errors_, message) == errors_.end()) errors_.emplace_back(message);
}

void UiReport::property(std::string_view key, std::string_view value) {
  properties_.insert_or_assign(std::string(key), std::string(value));
}

const ReportedWindow* UiReport::find_window(std::string_view name) const {
  auto it = std::ranges::find(windows_, name, &ReportedWindow::name);
  return it == windows_.end() ? nullptr : &*it;
}

std::string UiReport::to_json() const {
  nlohmann::json windows = nlohmann::json::array();
  for (const ReportedWindow& w : windows_) {
    nlohmann::json window = {{"name", w.name}, {"visible", w.visible}, {"items", w.items}, {"texts", w.texts},
                             {"covered_by", w.covered_by}, {"clipped", w.clipped}};
    if (w.rect) window["rect"] = {w.rect->x, w.rect->y, w.rect->width, w.rect->height};
    windows.push_back(std::move(window));
  }
  nlohmann::json doc = {
      {"frames", frames_},
      {"size", {width_, height_}},
      {"windows", std::move(windows)},
      {"errors", errors_},
      {"properties", nlohmann::json::object()},
  };
  for (const auto& [key, value] : properties_) doc["properties"][key] = value;
  if (timeline_) {
    nlohmann::json lanes = nlohmann::json::array();
    for (const ReportedLane& l : timeline_->lanes)
      lanes.push_back({{"group", l.group}, {"kind", l.kind}, {"label", l.label}, {"parent", l.parent}, {"first_ms", l.first_ms},
                       {"last_ms", l.last_ms}, {"first_event", l.first_event}, {"last_event", l.last_event},
                       {"end", l.end}, {"spans", l.spans}, {"on_screen", l.on_screen}});
    doc["timeline"] = {{"axis", timeline_->axis},         {"begin", timeline_->begin},
                       {"end", timeline_->end},           {"begin_ms", timeline_->begin_ms},
                       {"end_ms", timeline_->end_ms},     {"lanes", std::move(lanes)}};
  }
  return doc.dump(2) + "\n";
}

std::expected<void, std::string> UiReport::write(const std::filesystem::path& path) const {
  return trace::write_output_file(path, to_json());
}

namespace ui_report {

namespace {
UiReport* installed = nullptr;
}  // namespace

Installed::Installed(UiReport& report) : previous_(installed) { installed = &report; }
Installed::~Installed() { installed = previous_; }

bool active() { return installed != nullptr; }

void begin_window(std::string_view name, bool visible, std::string_view id) {
  if (installed) installed->begin_window(name, visible, id);
}
void window_rect(const ReportedRect& rect) {
  if (installed) installed->window_rect(rect);
}
void timeline(ReportedTimeline t) {
  if (installed) installed->timeline(std::move(t));
}
void end_window() {
  if (installed) installed->end_window();
}
void item(std::size_t count) {
  if (installed) installed->item(count);
}
void text(std::string_view text) {
  if (installed) installed->text(text);
}
void clipped(std::string_view text) {
  if (installed) installed->clipped(text);
}
void error(std::string_view message) {
  if (installed) installed->error(message);
}
void property(std::string_view key, std::string_view value) {
  if (installed) installed->property(key, value);
}

}  // namespace ui_report

}  // namespace asynclab::vis
