#pragma once
// The OpenAPI 3 description of /api/v1, compiled into the binary (served at
// /api/v1/openapi.json without the source tree). Its schemas are what the integration tests check
// real responses against.

#include <string_view>

namespace hd::service::http {

std::string_view openApiDocument();

}  // namespace hd::service::http
