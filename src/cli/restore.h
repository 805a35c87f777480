#pragma once

#include <istream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace vsd::cli {

// The words of one line of -R input, split as ipvsadm's config_stream does: at blanks, tabs and
// carriage returns, with every word "ipvsadm" dropped so that lines written as shell commands
// ("ipvsadm -A -t ...") restore too. vsd additions: a first word "vsadm" is dropped likewise,
// and a '#' starts a comment to the end of the line (config_stream documents that, but its
// check never fires).
std::vector<std::string> restore_words(const std::string& line);

// ipvsadm -R (restore_table): every line of `input` as a command line, in order. A line that
// fails an ipvsadm check ends the restore (status 2); a line the daemon refuses prints the
// daemon's error and the restore goes on; the status is the last line's, as with ipvsadm.
Outcome restore(std::istream& input, Session& session, const Environment& env);

}  // namespace vsd::cli
