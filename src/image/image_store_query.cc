// ImageStore queries: resolve, list, inspect, history, tag, df, layer dirs.
#include <fnmatch.h>

#include <algorithm>

#include "base/fs.h"
#include "base/strings.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/json_fields.h"

namespace berth::image {
namespace {

using nlohmann::json;

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::string Familiar(const std::string& full) {
  auto r = ref::ParseNormalized(full);
  return r.ok() ? r->Familiar() : full;
}

// Docker's reference.FamiliarMatch: path.Match on the familiar string, then
// on the familiar name when the pattern has no tag.
bool FamiliarMatch(const std::string& pattern, const std::string& full) {
  auto r = ref::ParseNormalized(full);
  if (!r.ok()) return false;
  if (::fnmatch(pattern.c_str(), r->Familiar().c_str(), FNM_PATHNAME) == 0) return true;
  if (pattern.find(':') == std::string::npos &&
      ::fnmatch(pattern.c_str(), r->FamiliarName().c_str(), FNM_PATHNAME) == 0)
    return true;
  return false;
}

// Docker's container.Config with zero values, for Config/ContainerConfig.
json ZeroContainerConfig() {
  return json{{"Hostname", ""},     {"Domainname", ""},  {"User", ""},
              {"AttachStdin", false}, {"AttachStdout", false}, {"AttachStderr", false},
              {"Tty", false},       {"OpenStdin", false}, {"StdinOnce", false},
              {"Env", nullptr},     {"Cmd", nullptr},    {"Image", ""},
              {"Volumes", nullptr}, {"WorkingDir", ""},  {"Entrypoint", nullptr},
              {"OnBuild", nullptr}, {"Labels", nullptr}};
}

json AsContainerConfig(const json& raw) {
  json out = ZeroContainerConfig();
  if (raw.is_object())
    for (auto it = raw.begin(); it != raw.end(); ++it) out[it.key()] = it.value();
  return out;
}

json StringsOrEmpty(const std::vector<std::string>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

}  // namespace

Result<ref::Reference> NormalizeTagged(std::string_view s) {
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(s));
  return r.WithDefaultTag();
}

// ---------------------------------------------------------------------------
// Resolve

Result<Digest> ImageStore::Impl::ResolveIdLocked(std::string_view s) {
  ref::AnyReference any = BERTH_TRY(ref::ParseAny(s));
  if (any.is_id) {
    sql::Statement st = BERTH_TRY(Query(db, "SELECT 1 FROM images WHERE id=?1", any.id.str()));
    if (BERTH_TRY(st.Step())) return any.id;
    return Error::NotFound("No such image: " + any.id.str());
  }
  ref::Reference named = any.named.WithDefaultTag();
  {
    sql::Statement st = BERTH_TRY(Query(db, "SELECT image_id FROM refs WHERE name=?1", named.Full()));
    if (BERTH_TRY(st.Step())) return Digest::Parse(st.Text(0));
  }
  std::string_view prefix = s;
  if (str::StartsWith(prefix, "sha256:")) prefix.remove_prefix(7);
  if (IsHex(prefix)) {
    sql::Statement st = BERTH_TRY(Query(
        db, "SELECT id FROM images WHERE substr(id, 1, ?2) = ?1 LIMIT 2",
        "sha256:" + std::string(prefix), static_cast<int64_t>(prefix.size() + 7)));
    std::vector<std::string> ids;
    while (BERTH_TRY(st.Step())) ids.push_back(st.Text(0));
    if (ids.size() == 1) return Digest::Parse(ids[0]);
  }
  return Error::NotFound("No such image: " + named.Familiar());
}

Result<std::vector<std::string>> ImageStore::Impl::RefsLocked(const Digest& id) {
  sql::Statement st = BERTH_TRY(Query(db, "SELECT name FROM refs WHERE image_id=?1 ORDER BY name", id.str()));
  std::vector<std::string> out;
  while (BERTH_TRY(st.Step())) out.push_back(st.Text(0));
  return out;
}

Result<std::vector<Digest>> ImageStore::Impl::AllImagesLocked() {
  sql::Statement st = BERTH_TRY(Query(db, "SELECT id FROM images ORDER BY created DESC, id"));
  std::vector<Digest> out;
  while (BERTH_TRY(st.Step())) out.push_back(BERTH_TRY(Digest::Parse(st.Text(0))));
  return out;
}

Result<std::vector<std::string>> ImageStore::Impl::ChildrenLocked(const Digest& id) {
  sql::Statement st = BERTH_TRY(Query(db, "SELECT id FROM images WHERE parent=?1", id.str()));
  std::vector<std::string> out;
  while (BERTH_TRY(st.Step())) out.push_back(st.Text(0));
  return out;
}

Result<ImageRecord> ImageStore::Impl::RecordLocked(const Digest& id) {
  ImageRecord r;
  r.id = id;
  {
    sql::Statement st = BERTH_TRY(Query(
        db, "SELECT created, created_str, size, parent, last_tag_time FROM images WHERE id=?1",
        id.str()));
    if (!BERTH_TRY(st.Step())) return Error::NotFound("No such image: " + id.str());
    r.created = st.Int(0);
    r.created_rfc3339 = st.Text(1);
    r.size = st.Int(2);
    r.parent = st.Text(3);
    r.last_tag_time = st.Text(4);
  }
  {
    sql::Statement st = BERTH_TRY(Query(
        db,
        "SELECT l.chain_id, l.diff_id FROM image_layers il JOIN layers l ON l.chain_id = "
        "il.chain_id WHERE il.image_id=?1 ORDER BY il.idx",
        id.str()));
    while (BERTH_TRY(st.Step())) {
      r.chain_ids.push_back(BERTH_TRY(Digest::Parse(st.Text(0))));
      r.diff_ids.push_back(BERTH_TRY(Digest::Parse(st.Text(1))));
    }
  }
  for (const std::string& name : BERTH_TRY(RefsLocked(id))) {
    if (name.find('@') != std::string::npos)
      r.repo_digests.push_back(Familiar(name));
    else
      r.repo_tags.push_back(Familiar(name));
  }
  r.config_json = BERTH_TRY_CTX(content->ReadAll(id), "image " + id.str() + ": config");
  return r;
}

Result<ImageRecord> ImageStore::Resolve(std::string_view ref_or_id) {
  std::lock_guard lock(impl_->mu);
  Digest id = BERTH_TRY(impl_->ResolveIdLocked(ref_or_id));
  return impl_->RecordLocked(id);
}

// ---------------------------------------------------------------------------
// List

static Status ValidateFilters(const Filters& f, std::initializer_list<std::string_view> keys) {
  for (const auto& [k, v] : f)
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      return Error::Invalid("Invalid filter '" + k + "'");
  return Ok();
}

// Docker's filters.MatchKVList: every "k" or "k=v" must be in labels.
bool MatchLabels(const std::vector<std::string>& wanted,
                 const std::map<std::string, std::string>& labels) {
  for (const std::string& w : wanted) {
    bool has_value = false;
    auto [k, v] = str::Cut(w, '=', &has_value);
    auto it = labels.find(k);
    if (it == labels.end()) return false;
    if (has_value && it->second != v) return false;
  }
  return true;
}

Result<std::vector<ImageSummary>> ImageStore::List(const ListOptions& options) {
  const Filters& f = options.filters;
  BERTH_TRY(ValidateFilters(f, {"dangling", "label", "before", "since", "reference"}));
  bool dangling_only = false, dangling_filter = false;
  if (auto it = f.find("dangling"); it != f.end()) {
    dangling_filter = true;
    for (const std::string& v : it->second) {
      std::string lv = str::ToLower(v);
      if (lv == "true" || lv == "1") dangling_only = true;
      else if (lv != "false" && lv != "0")
        return Error::Invalid("Invalid filter 'dangling=" + v + "'");
    }
  }
  std::lock_guard lock(impl_->mu);
  // before/since compare creation times to the nanosecond, as Docker does.
  auto when = [](const ImageRecord& r) {
    Timestamp t = ParseRfc3339(r.created_rfc3339);
    return t.valid ? std::pair<int64_t, int32_t>(t.sec, t.nsec)
                   : std::pair<int64_t, int32_t>(r.created, 0);
  };
  std::optional<std::pair<int64_t, int32_t>> before, since;
  if (auto it = f.find("before"); it != f.end())
    for (const std::string& v : it->second) {
      Digest id = BERTH_TRY(impl_->ResolveIdLocked(v));
      before = when(BERTH_TRY(impl_->RecordLocked(id)));
    }
  if (auto it = f.find("since"); it != f.end())
    for (const std::string& v : it->second) {
      Digest id = BERTH_TRY(impl_->ResolveIdLocked(v));
      since = when(BERTH_TRY(impl_->RecordLocked(id)));
    }
  const std::vector<std::string>* refpats = nullptr;
  if (auto it = f.find("reference"); it != f.end()) refpats = &it->second;

  std::vector<ImageSummary> out;
  for (const Digest& id : BERTH_TRY(impl_->AllImagesLocked())) {
    ImageRecord r = BERTH_TRY(impl_->RecordLocked(id));
    bool has_children = !BERTH_TRY(impl_->ChildrenLocked(id)).empty();
    if (dangling_only && has_children) continue;  // Docker lists heads only
    if (before && when(r) >= *before) continue;
    if (since && when(r) <= *since) continue;
    ImageConfig cfg = BERTH_TRY_CTX(ParseImageConfig(r.config_json), "image " + id.str());
    if (auto it = f.find("label"); it != f.end() && !MatchLabels(it->second, cfg.config.labels))
      continue;
    ImageSummary s;
    s.id = id.str();
    s.parent_id = r.parent;
    s.created = r.created;
    s.size = s.virtual_size = r.size;
    s.labels = cfg.config.labels;
    for (const std::string& name : BERTH_TRY(impl_->RefsLocked(id))) {
      if (refpats) {
        bool found = false;
        for (const std::string& p : *refpats) found = found || FamiliarMatch(p, name);
        if (!found) continue;
      }
      if (name.find('@') != std::string::npos)
        s.repo_digests.push_back(Familiar(name));
      else
        s.repo_tags.push_back(Familiar(name));
    }
    if (s.repo_tags.empty() && s.repo_digests.empty()) {
      if (!options.all && has_children) continue;
      if (dangling_filter && !dangling_only) continue;
      if (refpats) continue;
      s.repo_digests = {"<none>@<none>"};
      s.repo_tags = {"<none>:<none>"};
    } else if (dangling_only && !s.repo_tags.empty()) {
      continue;
    }
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ImageSummary& a, const ImageSummary& b) { return a.created > b.created; });
  return out;
}

json ToJson(const ImageSummary& s) {
  json labels = json::object();
  for (const auto& [k, v] : s.labels) labels[k] = v;
  return json{{"Id", s.id},
              {"ParentId", s.parent_id},
              {"RepoTags", StringsOrEmpty(s.repo_tags)},
              {"RepoDigests", StringsOrEmpty(s.repo_digests)},
              {"Created", s.created},
              {"Size", s.size},
              {"SharedSize", s.shared_size},
              {"VirtualSize", s.virtual_size},
              {"Labels", labels},
              {"Containers", s.containers}};
}

// ---------------------------------------------------------------------------
// Inspect and history

Result<json> ImageStore::Inspect(std::string_view ref_or_id) {
  ImageRecord r = BERTH_TRY(Resolve(ref_or_id));
  json raw = BERTH_TRY_CTX(jsonf::ParseObject(r.config_json, "image config"), "image " + r.id.str());
  auto str_of = [&](const char* k) -> std::string {
    auto it = raw.find(k);
    return it != raw.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  json j;
  j["Id"] = r.id.str();
  j["RepoTags"] = StringsOrEmpty(r.repo_tags);
  j["RepoDigests"] = StringsOrEmpty(r.repo_digests);
  j["Parent"] = r.parent;
  j["Comment"] = str_of("comment");
  j["Created"] = r.created_rfc3339;
  j["Container"] = str_of("container");
  j["ContainerConfig"] = AsContainerConfig(raw.value("container_config", json()));
  j["DockerVersion"] = str_of("docker_version");
  j["Author"] = str_of("author");
  auto cfg = raw.find("config");
  j["Config"] = (cfg != raw.end() && cfg->is_object()) ? AsContainerConfig(*cfg) : json(nullptr);
  j["Architecture"] = str_of("architecture");
  if (!str_of("variant").empty()) j["Variant"] = str_of("variant");
  j["Os"] = str_of("os");
  if (!str_of("os.version").empty()) j["OsVersion"] = str_of("os.version");
  j["Size"] = r.size;
  j["VirtualSize"] = r.size;
  json data = json::object();
  if (!r.chain_ids.empty()) {
    const Digest& top = r.chain_ids.back();
    std::vector<std::string> lowers;
    for (size_t i = r.chain_ids.size() - 1; i-- > 0;) lowers.push_back(LayerDir(r.chain_ids[i]));
    if (!lowers.empty()) data["LowerDir"] = str::Join(lowers, ":");
    std::string base = impl_->LayerPath(top);
    data["MergedDir"] = base + "/merged";
    data["UpperDir"] = base + "/diff";
    data["WorkDir"] = base + "/work";
  }
  j["GraphDriver"] = json{{"Data", data}, {"Name", "overlay2"}};
  json layers = json::array();
  for (const Digest& d : r.diff_ids) layers.push_back(d.str());
  j["RootFS"] = json{{"Type", "layers"}, {"Layers", layers}};
  j["Metadata"] = json{
      {"LastTagTime", r.last_tag_time.empty() ? "0001-01-01T00:00:00Z" : r.last_tag_time}};
  return j;
}

Result<std::vector<HistoryItem>> ImageStore::History(std::string_view ref_or_id) {
  std::lock_guard lock(impl_->mu);
  Digest id = BERTH_TRY(impl_->ResolveIdLocked(ref_or_id));
  ImageRecord r = BERTH_TRY(impl_->RecordLocked(id));
  ImageConfig cfg = BERTH_TRY_CTX(ParseImageConfig(r.config_json), "image " + id.str());
  std::vector<HistoryItem> out;
  size_t layer = 0;
  for (const HistoryEntry& h : cfg.history) {
    HistoryItem item;
    item.id = "<missing>";
    item.created = ParseRfc3339(h.created).sec;
    item.created_by = h.created_by;
    item.comment = h.comment;
    if (!h.empty_layer) {
      if (layer >= r.chain_ids.size())
        return Error::Internal("image " + id.str() + ": too many non-empty layers in History section");
      item.size = BERTH_TRY(impl_->LayerSizeLocked(r.chain_ids[layer++]));
    }
    out.insert(out.begin(), std::move(item));
  }
  if (!out.empty()) {
    out.front().id = id.str();
    out.front().tags = r.repo_tags;
  }
  return out;
}

json ToJson(const HistoryItem& h) {
  return json{{"Id", h.id},
              {"Created", h.created},
              {"CreatedBy", h.created_by},
              {"Tags", h.tags.empty() ? json(nullptr) : StringsOrEmpty(h.tags)},
              {"Size", h.size},
              {"Comment", h.comment}};
}

json ToJson(const DeleteItem& d) {
  if (!d.untagged.empty()) return json{{"Untagged", d.untagged}};
  return json{{"Deleted", d.deleted}};
}

json ToJson(const PruneReport& r) {
  json items = json::array();
  for (const DeleteItem& d : r.images_deleted) items.push_back(ToJson(d));
  return json{{"ImagesDeleted", r.images_deleted.empty() ? json(nullptr) : items},
              {"SpaceReclaimed", r.space_reclaimed}};
}

// ---------------------------------------------------------------------------
// Tag, layer dirs, df

Status ImageStore::Tag(std::string_view source, std::string_view target) {
  ref::Reference t = BERTH_TRY(ref::ParseNormalized(target));
  if (!t.digest.empty()) return Error::Invalid("refusing to create a tag with a digest reference");
  t = t.WithDefaultTag();
  std::lock_guard lock(impl_->mu);
  Digest id = BERTH_TRY(impl_->ResolveIdLocked(source));
  bool same = false;
  {
    sql::Statement st = BERTH_TRY(Query(impl_->db, "SELECT image_id FROM refs WHERE name=?1", t.Full()));
    same = BERTH_TRY(st.Step()) && st.Text(0) == id.str();
  }
  {
    // The tag names this image already (a rebuild that changed nothing):
    // only its tag time moves, and losing that in a power cut is harmless,
    // so this commit does not wait for the disk.
    if (same) {
      if (impl_->opts.sync) BERTH_TRY(impl_->db.Exec("PRAGMA synchronous=NORMAL"));
      Status s = Exec(impl_->db, "UPDATE images SET last_tag_time=?2 WHERE id=?1", id.str(),
                      FormatRfc3339Nano(Now()));
      if (impl_->opts.sync) BERTH_TRY(impl_->db.Exec("PRAGMA synchronous=FULL"));
      return s;
    }
  }
  auto tx = BERTH_TRY(sql::Transaction::Begin(impl_->db));
  BERTH_TRY(Exec(impl_->db,
                 "INSERT OR REPLACE INTO refs(name, image_id, is_digest, created) VALUES(?1, ?2, 0, ?3)",
                 t.Full(), id.str(), Now().sec));
  BERTH_TRY(Exec(impl_->db, "UPDATE images SET last_tag_time=?2 WHERE id=?1", id.str(),
                 FormatRfc3339Nano(Now())));
  return tx.Commit();
}

Result<std::string> ImageStore::LayerDirs(std::string_view ref_or_id) {
  std::lock_guard lock(impl_->mu);
  Digest id = BERTH_TRY(impl_->ResolveIdLocked(ref_or_id));
  ImageRecord r = BERTH_TRY(impl_->RecordLocked(id));
  std::vector<std::string> dirs;
  for (auto it = r.chain_ids.rbegin(); it != r.chain_ids.rend(); ++it)
    dirs.push_back(impl_->LayerDiff(*it));
  return str::Join(dirs, ":");
}

Result<DiskUsage> ImageStore::Df(const InUseFn& in_use) {
  ListOptions lo;
  lo.all = true;
  DiskUsage du;
  du.images = BERTH_TRY(List(lo));
  std::lock_guard lock(impl_->mu);
  std::map<std::string, int64_t> layer_size;
  {
    sql::Statement st = BERTH_TRY(Query(
        impl_->db,
        "SELECT l.chain_id, l.size, COUNT(il.image_id) FROM layers l LEFT JOIN image_layers il "
        "ON il.chain_id = l.chain_id GROUP BY l.chain_id ORDER BY l.chain_id"));
    while (BERTH_TRY(st.Step())) {
      du.layers.push_back({st.Text(0), st.Int(1), st.Int(2)});
      du.layers_size += st.Int(1);
      layer_size[st.Text(0)] = st.Int(1);
    }
  }
  std::map<std::string, int64_t> users;
  for (const LayerUsage& l : du.layers) users[l.chain_id] = l.images;
  for (ImageSummary& s : du.images) {
    Digest id = BERTH_TRY(Digest::Parse(s.id));
    ImageRecord r = BERTH_TRY(impl_->RecordLocked(id));
    s.shared_size = 0;
    for (const Digest& c : r.chain_ids)
      if (users[c.str()] > 1) s.shared_size += layer_size[c.str()];
    s.containers = in_use ? static_cast<int64_t>(in_use(s.id).size()) : 0;
  }
  return du;
}

}  // namespace berth::image
