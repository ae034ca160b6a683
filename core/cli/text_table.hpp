// A plain-text table: columns padded to their widest cell, two spaces
// apart, the last one unpadded. For hornet ctl's human output.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hornet {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> titles) { rows_.push_back(std::move(titles)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_; // the titles first
};

} // namespace hornet
