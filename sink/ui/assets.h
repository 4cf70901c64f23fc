// The page's files, embedded in the binary at build time (sink/ui/embed_ui_assets.cmake from the
// front end's build in ui/dist, or a placeholder page when npm was not there): nothing is read from
// disk or the network at run time.
#pragma once

#include <string_view>

namespace pgtrail::ui {

struct Asset {
    std::string_view path;  ///< "/index.html", "/assets/index-1a2b.js"
    std::string_view content_type;
    std::string_view body;
};

/// The file at path, or nullptr.
const Asset *find_asset(std::string_view path);

}  // namespace pgtrail::ui
