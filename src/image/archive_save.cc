// ImageStore::Save: a docker-archive in Docker 20.10's layout, which
// `docker load` of any version reads:
//
//   <v1id>/VERSION         "1.0"
//   <v1id>/json            legacy v1 metadata of the layer
//   <v1id>/layer.tar       the uncompressed layer (its sha256 is the diff ID);
//                          a symlink to ../<other v1id>/layer.tar when the same
//                          diff ID was written already
//   <config-hex>.json      the image config, byte for byte
//   manifest.json          [{"Config", "RepoTags", "Layers"}]
//   repositories           {"busybox": {"latest": "<top v1id>"}} (tagged only)
//
// v1 IDs are berth's own (sha256 of parent v1 ID, chain ID and, for the top
// layer, the image ID): `docker load` reads them only as directory names.
#include <algorithm>
#include <sys/stat.h>

#include "base/strings.h"
#include "image/archive_tar.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/json_fields.h"

namespace berth::image {
namespace {

using nlohmann::json;

struct SaveImage {
  Digest id;
  std::string config;
  int64_t created = 0;
  std::vector<std::string> tags;  // familiar "name:tag"
  std::vector<Digest> diff_ids, chain_ids;
};

struct Entry {
  std::string name;
  enum Kind { kDir, kData, kLayer, kLink } kind = kData;
  std::string data;  // kData content, kLink target
  Digest diff_id;    // kLayer
  int64_t mtime = 0;
};

json ZeroConfig() {
  return json{{"Hostname", ""},     {"Domainname", ""},     {"User", ""},
              {"AttachStdin", false}, {"AttachStdout", false}, {"AttachStderr", false},
              {"Tty", false},       {"OpenStdin", false},   {"StdinOnce", false},
              {"Env", nullptr},     {"Cmd", nullptr},       {"Image", ""},
              {"Volumes", nullptr}, {"WorkingDir", ""},     {"Entrypoint", nullptr},
              {"OnBuild", nullptr}, {"Labels", nullptr}};
}

// Sorts as a directory walk visits: component by component.
bool WalkOrder(const Entry& a, const Entry& b) {
  std::string x = a.name, y = b.name;
  std::replace(x.begin(), x.end(), '/', '\0');
  std::replace(y.begin(), y.end(), '/', '\0');
  return x < y;
}

}  // namespace

Status ImageStore::Save(const std::vector<std::string>& refs, int out_fd) {
  std::vector<SaveImage> images;
  std::map<std::string, unique_fd> layer_fds;  // diff ID -> open blob
  std::map<std::string, int64_t> layer_sizes;
  {
    std::lock_guard lock(impl_->mu);
    auto add = [&](const Digest& id, const std::string& tag) -> Status {
      auto it = std::find_if(images.begin(), images.end(), [&](const SaveImage& s) { return s.id == id; });
      if (it == images.end()) {
        ImageRecord r = BERTH_TRY(impl_->RecordLocked(id));
        images.push_back({id, r.config_json, r.created, {}, r.diff_ids, r.chain_ids});
        it = images.end() - 1;
      }
      if (!tag.empty() && std::find(it->tags.begin(), it->tags.end(), tag) == it->tags.end())
        it->tags.push_back(tag);
      return Ok();
    };
    for (const std::string& s : refs) {
      ref::AnyReference any = BERTH_TRY(ref::ParseAny(s));
      if (any.is_id || !any.named.digest.empty()) {
        BERTH_TRY(add(BERTH_TRY(impl_->ResolveIdLocked(s)), ""));
        continue;
      }
      if (any.named.tag.empty()) {
        // A repository name: every tag of it.
        std::string prefix = any.named.Name() + ":";
        sql::Statement st = BERTH_TRY(Query(
            impl_->db,
            "SELECT name, image_id FROM refs WHERE is_digest=0 AND substr(name, 1, ?2)=?1 ORDER BY name",
            prefix, static_cast<int64_t>(prefix.size())));
        bool found = false;
        while (BERTH_TRY(st.Step())) {
          auto r = ref::ParseNormalized(st.Text(0));
          if (!r.ok() || r->Name() != any.named.Name()) continue;
          BERTH_TRY(add(BERTH_TRY(Digest::Parse(st.Text(1))), r->Familiar()));
          found = true;
        }
        if (found) continue;
      }
      Digest id = BERTH_TRY(impl_->ResolveIdLocked(s));
      // Named by reference (not an ID prefix): keep the name.
      ref::Reference tagged = any.named.WithDefaultTag();
      sql::Statement st = BERTH_TRY(Query(impl_->db, "SELECT image_id FROM refs WHERE name=?1", tagged.Full()));
      bool by_name = BERTH_TRY(st.Step()) && st.Text(0) == id.str();
      BERTH_TRY(add(id, by_name ? tagged.Familiar() : ""));
    }
    // Open every layer now: a concurrent rmi can unlink the blob, not take
    // an open file away.
    for (const SaveImage& img : images)
      for (const Digest& d : img.diff_ids) {
        if (layer_fds.count(d.str())) continue;
        unique_fd fd = BERTH_TRY_CTX(impl_->LayerTarLocked(d), "save image " + img.id.str());
        struct stat st;
        if (::fstat(fd.get(), &st) != 0) return Error::Sys("stat layer " + d.str());
        layer_sizes[d.str()] = st.st_size;
        layer_fds[d.str()] = std::move(fd);
      }
  }

  std::vector<Entry> entries;
  json manifest = json::array();
  json repositories = json::object();
  std::map<std::string, std::string> written;  // diff ID -> "<v1id>/layer.tar"
  std::set<std::string> dirs;
  for (const SaveImage& img : images) {
    std::string parent;
    json layers = json::array();
    for (size_t i = 0; i < img.diff_ids.size(); ++i) {
      bool top = i + 1 == img.diff_ids.size();
      std::string v1 = Sha256Of(parent + " " + img.chain_ids[i].str() + (top ? " " + img.id.str() : "")).hex();
      json v1json;
      if (top) {
        json raw = json::parse(img.config, nullptr, false);
        if (raw.is_object()) {
          raw.erase("history");
          raw.erase("rootfs");
          v1json = raw;
        }
      } else {
        v1json = json{{"created", "1970-01-01T00:00:00Z"}, {"container_config", ZeroConfig()}, {"os", "linux"}};
      }
      v1json["id"] = v1;
      if (!parent.empty()) v1json["parent"] = parent;
      std::string path = v1 + "/layer.tar";
      if (dirs.insert(v1).second) {
        entries.push_back({v1, Entry::kDir, "", {}, img.created});
        entries.push_back({v1 + "/VERSION", Entry::kData, "1.0", {}, img.created});
        entries.push_back({v1 + "/json", Entry::kData, v1json.dump(), {}, img.created});
        const std::string& d = img.diff_ids[i].str();
        if (auto it = written.find(d); it != written.end())
          entries.push_back({path, Entry::kLink, "../" + it->second, {}, img.created});
        else {
          entries.push_back({path, Entry::kLayer, "", img.diff_ids[i], img.created});
          written[d] = path;
        }
      }
      layers.push_back(path);
      parent = v1;
    }
    std::string config_name = img.id.hex() + ".json";
    if (dirs.insert(config_name).second)
      entries.push_back({config_name, Entry::kData, img.config, {}, img.created});
    json tags = img.tags.empty() ? json(nullptr) : json(img.tags);
    manifest.push_back(json{{"Config", config_name}, {"RepoTags", tags}, {"Layers", layers}});
    for (const std::string& t : img.tags) {
      auto r = ref::ParseNormalized(t);
      if (r.ok()) repositories[r->FamiliarName()][r->tag] = parent;
    }
  }
  // mtime 0, as Docker writes them: the same images save to the same bytes.
  entries.push_back({"manifest.json", Entry::kData, manifest.dump(), {}, 0});
  if (!repositories.empty())
    entries.push_back({"repositories", Entry::kData, repositories.dump(), {}, 0});
  std::stable_sort(entries.begin(), entries.end(), WalkOrder);

  TarWriter w(out_fd);
  BERTH_TRY_CTX(w.Open(), "save");
  for (const Entry& e : entries) {
    switch (e.kind) {
      case Entry::kDir: BERTH_TRY_CTX(w.AddDir(e.name, e.mtime), "save"); break;
      case Entry::kData: BERTH_TRY_CTX(w.AddFile(e.name, e.data, e.mtime), "save"); break;
      case Entry::kLink: BERTH_TRY_CTX(w.AddSymlink(e.name, e.data, e.mtime), "save"); break;
      case Entry::kLayer: {
        const std::string& d = e.diff_id.str();
        BERTH_TRY_CTX(w.AddFileFromFd(e.name, layer_fds[d].get(), layer_sizes[d], e.mtime),
                      "save layer " + d);
        break;
      }
    }
  }
  return w.Close().Context("save");
}

}  // namespace berth::image
