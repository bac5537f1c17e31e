#pragma once
// Helping LeakSanitizer name what it finds in the OpenGL driver.
//
// Mesa's software rasterizer (llvmpipe, what Xvfb gives) leaks a few small blocks once ImGui has
// drawn with it. LeakSanitizer reports leaks at exit, after glfwTerminate has unloaded the driver,
// so their frames have no module name and no suppression can single them out. In sanitizer builds
// this pins the loaded driver (dlopen with RTLD_NODELETE on what is already loaded), so the frames
// read "swrast_dri.so" and tests/gui/lsan.supp suppresses exactly those. Elsewhere it does nothing.
namespace asynclab::vis {

// Call once the OpenGL context exists (the driver is loaded by then).
void keep_gl_driver_loaded_for_leak_check();

}  // namespace asynclab::vis
