// `pgtrail --version`: pgtrail's version and the libraries it was built with.
#pragma once

#include <string>

namespace pgtrail {

std::string version_text();

}  // namespace pgtrail
