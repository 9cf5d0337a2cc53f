// A container's mount points as Docker records them (MountPoints in the
// container's record, Mounts in inspect), and the parsers of what users
// write: `-v` / HostConfig.Binds, HostConfig.Mounts (`--mount`) and
// `--volumes-from`. Pure functions: no I/O except checking that a
// --mount bind source exists.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "volume/volume.h"

namespace berth::volume {

struct MountPoint {
  std::string type = "volume";  // "volume", "bind", "tmpfs"
  std::string name;             // the volume's name ("" until resolved for anonymous ones)
  std::string source;           // host path (bind), the volume's mountpoint
  std::string destination;      // cleaned, absolute
  std::string mode;             // as inspect shows it ("z", "ro", "")
  bool rw = true;
  std::string propagation;      // "rprivate" for binds
  bool named = false;           // the user named the volume: rm -v keeps it
  bool copy_data = true;        // fill a new empty volume from the image
  bool non_recursive = false;   // bind: no rbind
  bool from_mounts = false;     // came from HostConfig.Mounts (tmpfs: the spec builder's)
  Labels volume_labels, volume_options;  // for a volume the mount creates
};

// The inspect form: {Type, Name?, Source, Destination, Driver?, Mode, RW, Propagation}.
nlohmann::json ToInspect(const MountPoint& m);
// The record form (the inspect form plus what the engine needs later).
nlohmann::json ToRecord(const MountPoint& m);
MountPoint FromRecord(const nlohmann::json& j);

// One `-v` / Binds entry: "/host:/ctr[:opts]" (bind), "name:/ctr[:opts]"
// (named volume), "/ctr" (anonymous volume). Docker's errors:
// `invalid volume specification: 'x'`, `invalid mode: x`, and the
// mount-path ones.
Result<MountPoint> ParseBind(const std::string& spec);
// One HostConfig.Mounts entry (type volume, bind or tmpfs), checked with
// Docker's `invalid mount config for type "…": …` errors.
Result<MountPoint> ParseMount(const nlohmann::json& m);
// "container[:ro|rw]" → {container, mode ("" when none)}.
Result<std::pair<std::string, std::string>> ParseVolumesFrom(const std::string& spec);

}  // namespace berth::volume
