// Levenshtein-based suggestions; see suggest.hpp.
#include "config/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hornet {

namespace {

// Typos are judged case-blind: 'Workers' is as plausible as 'workrs'.
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// A word the candidate starts with ("warn" for "warning") is as close as one typo.
std::size_t distance(std::string_view word, std::string_view candidate) {
    bool prefix = word.size() >= 3 && candidate.size() > word.size() &&
                  edit_distance(word, candidate.substr(0, word.size())) == 0;
    return prefix ? 1 : edit_distance(word, candidate);
}

std::size_t threshold(std::string_view word) { return std::max<std::size_t>(2, word.size() / 3); }

} // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // One rolling row: prev[j] is the distance between a[0..i) and b[0..j).
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t substitute = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string closest_match(std::string_view word, std::span<const std::string_view> candidates) {
    std::string_view best;
    std::size_t best_distance = threshold(word) + 1;
    for (std::string_view candidate : candidates) {
        std::size_t d = distance(word, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return std::string(best);
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
    std::string best = closest_match(word, candidates);
    if (best.empty()) return "";
    return "; did you mean '" + best + "'?";
}

} // namespace hornet
