// The translation unit the precompiled headers are made for (cmake/precompiled_headers.cmake).
