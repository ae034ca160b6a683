// "Did you mean ...?" for misspelt setting names, option names and choices.
//
// Called by the YAML loader (unknown keys), the CLI layer (unknown options) and
// the choice codec (log levels). Levenshtein distance, because typos are
// mostly one dropped, doubled or swapped letter.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hornet {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close enough to be a
// plausible typo (at most 2 edits, or a third of the word for long words).
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

// "; did you mean 'x'?" or "" — ready to append to an error message.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

} // namespace hornet
