// The one source of a precompiled-header target (see CMakeLists.txt): a target needs a file to
// compile, and this one only exists to carry the header set.
