#pragma once

#include <vector>

#include "common/log.h"
#include "config/configuration.h"

namespace vsd::health {

// keepalived's init_file (trackers/track_file.c): writes each track_file's init value ("%d\n")
// when the file does not exist; with overwrite also when it does, but never on a reload (the
// value someone wrote since stays), and never over something that is not a regular file.
void initialise_track_files(const std::vector<config::TrackFileConfig>& files, bool reload,
                            Logger& log);

}  // namespace vsd::health
