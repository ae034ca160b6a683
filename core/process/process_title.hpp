// Process titles as ps shows them: "hornet: arbiter [hello]",
// "hornet: worker [hello]". Like nginx's ngx_setproctitle: the environment is
// copied elsewhere so argv's memory (followed by environ's) can be
// overwritten. init() runs first thing in main, before anything reads argv or
// the environment through saved pointers; set() runs in the arbiter and in
// each worker after fork.
#pragma once

#include <string>

namespace hornet::process_title {

void init(int argc, char** argv);
void set(const std::string& title);

} // namespace hornet::process_title
