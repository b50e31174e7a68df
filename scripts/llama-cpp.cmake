# Our build recipe for llama-cpp-python (scripts/build-engine.sh passes it as
# -DCMAKE_PROJECT_INCLUDE=<this file>; it is included after every project() call).
# llama-cpp-python's CMakeLists forces the cache entry LLAMA_BUILD_COMMON=ON; a normal variable
# shadows it (policy CMP0126 NEW, cmake_minimum_required 3.21), so llama.cpp's `common` library
# (argument parsing, chat parsers, cpp-httplib: about 70% of the compile time, unused by the
# Python bindings and by LLM Lab) is neither built nor installed.
set(LLAMA_BUILD_COMMON OFF)
