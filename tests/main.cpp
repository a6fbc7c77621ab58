// Catch2 v2 entry point, shared by the native and the WASM (node) test runs.
#define CATCH_CONFIG_MAIN
#include "catch.hpp"
