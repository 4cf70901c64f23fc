// One line per meaningful event, as text or JSON, on stderr.
#pragma once

#include <string>
#include <string_view>

namespace pgtrail::log {

enum class Level { debug, info, warn, error };

/// Parses debug|info|warn|error; throws std::invalid_argument otherwise.
Level parse_level(std::string_view text);

/// Sets the minimum level and the format (json when true).
void configure(Level min_level, bool json);

/// Writes one line when level is enabled.
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace pgtrail::log
