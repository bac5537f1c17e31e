// See leak_check.hpp.
#include "app/leak_check.hpp"

#include "asynclab/detail/sanitizers.hpp"

#if defined(ASYNCLAB_ASAN)
#include <dlfcn.h>
#include <link.h>

#include <string_view>
#endif

namespace asynclab::vis {

#if defined(ASYNCLAB_ASAN)

void keep_gl_driver_loaded_for_leak_check() {
  auto pin_driver = [](dl_phdr_info* info, std::size_t, void*) -> int {
    const std::string_view name = info->dlpi_name != nullptr ? info->dlpi_name : "";
    if (name.ends_with("_dri.so")) {
      // The handle is dropped on purpose: the point is that the driver is never unloaded.
      static_cast<void>(::dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE));
    }
    return 0;
  };
  ::dl_iterate_phdr(pin_driver, nullptr);
}

#else

void keep_gl_driver_loaded_for_leak_check() {}

#endif

}  // namespace asynclab::vis
