#include "health/track_file_init.h"

#include <sys/stat.h>

#include <fstream>

namespace vsd::health {

void initialise_track_files(const std::vector<config::TrackFileConfig>& files, bool reload,
                            Logger& log) {
  for (const config::TrackFileConfig& file : files) {
    if (!file.init_value) continue;
    struct stat st {};
    if (stat(file.path.c_str(), &st) == 0) {
      if (!file.init_overwrite || reload) continue;
      if (!S_ISREG(st.st_mode)) {
        log.error("Cannot initialise track file " + file.name + " - it is not a regular file");
        continue;
      }
    }
    std::ofstream out(file.path, std::ios::trunc);
    out << *file.init_value << "\n";
    if (!out.flush()) log.error("Unable to initialise track file " + file.name);
  }
}

}  // namespace vsd::health
