// COPY and ADD (and WORKDIR's directory): the step's layer is written as a
// tar straight from the sources, without a container (state.h).
//
// Phases: expand the arguments → resolve the sources (context, a stage or
// an image; wildcards) → hash them (the cache key) → probe the cache → lay
// out the entries (Docker's directory rules, parents, owners, modes) → the
// layer tar → commit.
#include <dirent.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "base/digest.h"
#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/strings.h"
#include "build/layer_tar.h"
#include "build/temp.h"
#include "build/state.h"

namespace berth::build {
namespace {

struct Source {
  std::string shown;     // as written (for messages)
  std::string path;      // on disk; "" for a heredoc
  std::string rel;       // relative to the source root (hash key)
  struct stat st {};
  const dockerfile::Heredoc* heredoc = nullptr;
  std::string heredoc_data;
};

bool HasWildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Paths under root matching pattern, component by component (so "*" does
// not cross "/"), sorted.
Status Glob(const std::string& root, const std::vector<std::string>& parts, size_t i,
            const std::string& rel, std::vector<std::string>* out) {
  if (i == parts.size()) {
    out->push_back(rel);
    return Ok();
  }
  std::string dir = rel.empty() ? root : root + "/" + rel;
  for (const std::string& name : BERTH_TRY(fs::ListDir(dir))) {
    if (::fnmatch(parts[i].c_str(), name.c_str(), 0) != 0) continue;
    std::string next = rel.empty() ? name : rel + "/" + name;
    if (i + 1 < parts.size()) {
      struct stat st;
      if (::stat((root + "/" + next).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    }
    BERTH_TRY(Glob(root, parts, i + 1, next, out));
  }
  return Ok();
}

// Walks dir (sorted, depth first), calling fn(rel, stat) for everything
// below. A directory or entry that cannot be read is an error: a COPY must
// not commit a layer with parts silently missing.
using WalkFn = std::function<Status(const std::string&, const struct stat&)>;
Status Walk(const std::string& dir, const std::string& rel, const WalkFn& fn) {
  for (const std::string& name : BERTH_TRY(fs::ListDir(rel.empty() ? dir : dir + "/" + rel))) {
    std::string r = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (::lstat((dir + "/" + r).c_str(), &st) != 0) return Error::Sys("lstat " + dir + "/" + r);
    BERTH_TRY(fn(r, st));
    if (S_ISDIR(st.st_mode)) BERTH_TRY(Walk(dir, r, fn));
  }
  return Ok();
}

// Looks a name up in an /etc/passwd- or /etc/group-shaped file.
std::optional<std::pair<uint32_t, uint32_t>> LookupId(const std::string& file, const std::string& name) {
  auto text = fs::ReadFile(file);
  if (!text.ok()) return std::nullopt;
  for (const std::string& line : str::Split(*text, '\n')) {
    std::vector<std::string> f = str::Split(line, ':');
    if (f.size() < 3 || f[0] != name) continue;
    try {
      uint32_t id = static_cast<uint32_t>(std::stoul(f[2]));
      uint32_t gid = f.size() > 3 && !f[3].empty() ? static_cast<uint32_t>(std::stoul(f[3])) : id;
      return std::make_pair(id, gid);
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool IsNumber(const std::string& s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), ::isdigit);
}

// --chown=user[:group] → ids, names resolved in the image's files.
Result<std::pair<uid_t, gid_t>> ParseChown(const std::string& spec, const std::string& root) {
  auto [user, group] = str::Cut(spec, ':');
  if (spec.find(':') == std::string::npos) group = user;
  uid_t uid;
  gid_t gid;
  auto fail = [&](const std::string& what, const std::string& name) {
    return Error::Invalid(fmt::format(
        "unable to convert uid/gid chown string to host mapping: can't find {} for {} {}: no such "
        "{}: {}",
        what == "user" ? "uid" : "gid", what, name, what, name));
  };
  if (IsNumber(user)) {
    uid = static_cast<uid_t>(std::stoul(user));
  } else {
    auto id = root.empty() ? std::nullopt : LookupId(root + "/etc/passwd", user);
    if (!id) return fail("user", user);
    uid = id->first;
  }
  if (IsNumber(group)) {
    gid = static_cast<gid_t>(std::stoul(group));
  } else {
    auto id = root.empty() ? std::nullopt : LookupId(root + "/etc/group", group);
    if (!id) return fail("group", group);
    gid = id->first;
  }
  return std::make_pair(uid, gid);
}

// "/a/b/" + workdir → absolute, keeping a trailing "/".
std::string AbsDest(const std::string& dest, const std::string& workdir) {
  bool dir = dest.empty() || dest.back() == '/' || dest == "." || str::EndsWith(dest, "/.");
  std::string joined = !dest.empty() && dest[0] == '/' ? dest : (workdir.empty() ? "/" : workdir) + "/" + dest;
  std::string clean = fs::Clean(joined);
  if (dir && clean != "/") clean += "/";
  return clean;
}

std::string Rel(const std::string& abs) {
  std::string r = fs::Clean(abs);
  while (!r.empty() && r[0] == '/') r.erase(0, 1);
  return r == "." ? "" : r;
}

}  // namespace

// Adds the parents of rel (a path in the image) to entries: those the
// image has keep their metadata (overlayfs copies them up, so Docker's diff
// lists them), missing ones are created 0755 with the step's owner.
static void AddParents(TarEntries* entries, const std::string& root, const std::string& rel,
                       uid_t uid, gid_t gid, int64_t now) {
  std::vector<std::string> parts = str::Split(rel, '/');
  std::string p;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    p = p.empty() ? parts[i] : p + "/" + parts[i];
    if (entries->count(p)) continue;
    TarEntry e;
    struct stat st;
    if (!root.empty() && ::lstat((root + "/" + p).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      e.perm = st.st_mode & 07777;
      e.uid = st.st_uid;
      e.gid = st.st_gid;
      e.mtime = st.st_mtim.tv_sec;
    } else {
      e.perm = 0755;
      e.uid = uid;
      e.gid = gid;
      e.mtime = now;
    }
    (*entries)[p] = e;
  }
}

Status Dispatcher::Copy(const dockerfile::Instruction& in, StageState* st, bool add) {
  const std::string cmd_name = add ? "ADD" : "COPY";
  auto flags = BERTH_TRY(ParseFlags(in, add ? std::set<std::string>{"chown", "chmod"}
                                            : std::set<std::string>{"from", "chown", "chmod"}));
  std::vector<std::string> envs = Envs(*st);
  std::vector<std::string> words;
  for (const std::string& a : in.args) {
    if (str::StartsWith(a, "<<") && !in.heredocs.empty()) {
      words.push_back(a);
      continue;
    }
    words.push_back(BERTH_TRY(lex_.ProcessWord(a, envs)));
  }
  const std::string dest_raw = words.back();
  words.pop_back();
  const std::string workdir = st->run_config.value("WorkingDir", "");
  const std::string dest = AbsDest(dest_raw, workdir);

  // The source root: the context, a stage's or an image's filesystem.
  std::unique_ptr<RootView> from_view;
  std::string root = opts_.context_dir;
  bool from_context = true;
  if (auto it = flags.find("from"); it != flags.end()) {
    from_context = false;
    std::string ref = it->second, image_id;
    if (auto s = StageImage(ref); s.ok()) {
      image_id = *s;
    } else if (IsNumber(ref) && std::stoul(ref) < stages_.size()) {
      image_id = stages_[std::stoul(ref)].image_id;
    } else {
      auto img = backend_.GetImage(ref);
      if (!img.ok())
        return Error::NotFound(fmt::format(
            "{} --from: invalid from flag value {}: No such image or build stage: {} (berth does "
            "not pull during builds)",
            cmd_name, ref, ref));
      image_id = img->id;
    }
    from_view = BERTH_TRY(backend_.View(image_id));
    root = from_view->path();
  }

  // Resolve the sources.
  std::vector<Source> sources;
  for (const std::string& w : words) {
    Source s;
    s.shown = w;
    const dockerfile::Heredoc* doc = nullptr;
    for (const dockerfile::Heredoc& h : in.heredocs)
      if (w.find(h.name) != std::string::npos && str::StartsWith(w, "<<")) doc = &h;
    if (doc) {
      s.heredoc = doc;
      s.rel = doc->name;
      s.heredoc_data = doc->expand ? BERTH_TRY(lex_.ProcessWord(doc->content, envs)) : doc->content;
      if (doc->expand) {
        // Docker expands heredoc bodies like a double-quoted word.
        auto q = lex_.ProcessWord("\"" + doc->content + "\"", envs);
        if (q.ok()) s.heredoc_data = *q;
      }
      s.st.st_mode = S_IFREG | 0644;
      sources.push_back(std::move(s));
      continue;
    }
    if (str::StartsWith(w, "http://") || str::StartsWith(w, "https://") || str::StartsWith(w, "git@"))
      return Error(Code::kNotImplemented,
                   fmt::format("{} {}: downloading sources is not supported: berthd builds offline; "
                               "download the file into the build context and {} it from there",
                               cmd_name, w, cmd_name));
    std::string rel = Rel("/" + w);
    if (from_context && (str::StartsWith(fs::Clean(w), "../") || fs::Clean(w) == ".."))
      return Error::Invalid(fmt::format("Forbidden path outside the build context: {} ()", w));
    if (root.empty())
      return Error::NotFound(fmt::format(
          "{} failed: file not found in build context or excluded by .dockerignore: stat {}: file "
          "does not exist",
          cmd_name, w));
    std::vector<std::string> matches;
    if (HasWildcard(rel)) {
      BERTH_TRY(Glob(root, str::Split(rel, '/'), 0, "", &matches));
      if (matches.empty()) return Error::NotFound(cmd_name + " failed: no source files were specified");
    } else {
      matches.push_back(rel);
    }
    for (const std::string& m : matches) {
      Source one = s;
      one.rel = m;
      one.path = m.empty() ? root : root + "/" + m;
      // A source that is a symlink is followed (inside the root only), as
      // docker does; symlinks below a copied directory are kept.
      int rc = ::stat(one.path.c_str(), &one.st);
      if (rc == 0) {
        char* real = ::realpath(one.path.c_str(), nullptr);
        char* real_root = ::realpath(root.c_str(), nullptr);
        std::string rp = real ? real : "", rr = real_root ? real_root : "";
        ::free(real);
        ::free(real_root);
        if (rp != rr && !str::StartsWith(rp, rr + "/")) rc = -1;
        else one.path = rp;
      }
      if (rc != 0)
        return Error::NotFound(
            from_context
                ? fmt::format("{} failed: file not found in build context or excluded by "
                              ".dockerignore: stat {}: file does not exist",
                              cmd_name, w)
                : fmt::format("{} failed: stat {}: file does not exist", cmd_name, w));
      sources.push_back(std::move(one));
    }
  }
  if (sources.size() > 1 && dest.back() != '/')
    return Error::Invalid(fmt::format(
        "When using {} with more than one source file, the destination must be a directory and "
        "end with a /",
        cmd_name));

  // The cache key: every file's path, type, mode, link target and contents.
  Sha256 h;
  auto flag = [&](const char* k) {
    auto it = flags.find(k);
    return it == flags.end() ? std::string("-") : it->second;
  };
  h.Update(fmt::format("chown={};chmod={};dest={}\n", flag("chown"), flag("chmod"), dest));
  auto hash_file = [&](const std::string& rel, const std::string& path, const struct stat& fst) -> Status {
    std::string head = rel;
    head += '\0';
    head += fmt::format("{:o}", fst.st_mode);
    head += '\0';
    head += std::to_string(fst.st_size);
    head += '\0';
    h.Update(head);
    if (S_ISLNK(fst.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
      if (n > 0) h.Update(std::string_view(buf, n));
    } else if (S_ISREG(fst.st_mode)) {
      std::string key = path.substr(root.size() + 1);
      if (auto it = opts_.context_digests.find(key); from_context && it != opts_.context_digests.end()) {
        h.Update(it->second);
      } else {
        Digest d = BERTH_TRY(Sha256File(path));
        h.Update(d.str());
      }
    }
    return Ok();
  };
  for (const Source& s : sources) {
    if (s.heredoc) {
      h.Update(std::string("heredoc") + '\0' + s.rel + '\0' + s.heredoc_data);
      continue;
    }
    BERTH_TRY(hash_file(s.rel, s.path, s.st));
    if (S_ISDIR(s.st.st_mode)) {
      BERTH_TRY(Walk(s.path, "", [&](const std::string& r, const struct stat& fst) {
        return hash_file(s.rel + "/" + r, s.path + "/" + r, fst);
      }));
    }
  }
  std::string kind = sources.size() > 1 ? "multi" : S_ISDIR(sources[0].st.st_mode) ? "dir" : "file";
  // Docker 20.10 writes "--chown=X" glued to the hash ("--chown=1:2file:…").
  std::string owner_note;
  if (auto it = flags.find("chown"); it != flags.end() && !it->second.empty())
    owner_note += "--chown=" + it->second;
  if (auto it = flags.find("chmod"); it != flags.end() && !it->second.empty())
    owner_note += "--chmod=" + it->second;
  std::string comment = fmt::format("{} {}{}:{} in {} ", cmd_name, owner_note, kind,
                                    h.Final().str().substr(7), dest_raw);
  json cc = NopConfig(*st, comment, true);
  if (BERTH_TRY(Probe(st, cc))) return Ok();

  // Lay out the entries.
  std::unique_ptr<RootView> view = BERTH_TRY(backend_.View(st->image_id));
  const std::string image_root = view->path();
  uid_t uid = 0;
  gid_t gid = 0;
  if (auto it = flags.find("chown"); it != flags.end() && !it->second.empty())
    std::tie(uid, gid) = BERTH_TRY(ParseChown(it->second, image_root));
  std::optional<mode_t> chmod;
  if (auto it = flags.find("chmod"); it != flags.end()) {
    const std::string& m = it->second;
    if (m.empty() || m.size() > 4 || m.find_first_not_of("01234567") != std::string::npos)
      return Error::Invalid(fmt::format("invalid chmod parameter: {}", m));
    chmod = static_cast<mode_t>(std::stoul(m, nullptr, 8));
  }
  const int64_t now = ::time(nullptr);
  auto exists_dir = [&](const std::string& rel) {
    struct stat dst;
    return !image_root.empty() && ::stat((image_root + "/" + rel).c_str(), &dst) == 0 &&
           S_ISDIR(dst.st_mode);
  };
  TarEntries entries;
  std::vector<std::unique_ptr<TempDir>> extracted;
  auto entry_for = [&](const std::string& path, const struct stat& fst, bool keep_owner) {
    TarEntry e;
    e.perm = chmod ? *chmod : (fst.st_mode & 07777);
    e.uid = keep_owner ? fst.st_uid : uid;
    e.gid = keep_owner ? fst.st_gid : gid;
    e.mtime = fst.st_mtim.tv_sec;
    if (S_ISDIR(fst.st_mode)) {
      e.kind = TarEntry::kDir;
    } else if (S_ISLNK(fst.st_mode)) {
      e.kind = TarEntry::kSymlink;
      char buf[4096];
      ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
      e.link = n > 0 ? std::string(buf, n) : "";
      e.perm = 0777;
    } else {
      e.kind = TarEntry::kFile;
      e.source = path;
    }
    return e;
  };
  // A directory's contents into target (a path in the image).
  auto copy_dir = [&](const std::string& src, const struct stat& dst_st, const std::string& target,
                      bool keep_owner) -> Status {
    if (!target.empty()) {
      AddParents(&entries, image_root, target, uid, gid, now);
      if (exists_dir(target)) {
        struct stat cur;
        ::stat((image_root + "/" + target).c_str(), &cur);
        TarEntry e = entry_for(image_root + "/" + target, cur, true);
        entries[target] = e;
      } else {
        entries[target] = entry_for(src, dst_st, keep_owner);
      }
    }
    return Walk(src, "", [&](const std::string& r, const struct stat& fst) -> Status {
      if (!S_ISDIR(fst.st_mode) && !S_ISREG(fst.st_mode) && !S_ISLNK(fst.st_mode)) return Ok();
      std::string t = target.empty() ? r : target + "/" + r;
      entries[t] = entry_for(src + "/" + r, fst, keep_owner);
      return Ok();
    });
  };
  const std::string dest_rel = Rel(dest);
  const bool dest_is_dir = dest.back() == '/' || exists_dir(dest_rel);
  for (const Source& s : sources) {
    if (s.heredoc) {
      std::string target = dest_is_dir ? (dest_rel.empty() ? s.rel : dest_rel + "/" + s.rel) : dest_rel;
      AddParents(&entries, image_root, target, uid, gid, now);
      TarEntry e;
      e.kind = TarEntry::kData;
      e.data = s.heredoc_data;
      e.perm = chmod ? *chmod : 0644;
      e.uid = uid;
      e.gid = gid;
      e.mtime = now;
      entries[target] = e;
      continue;
    }
    if (S_ISDIR(s.st.st_mode)) {
      BERTH_TRY(copy_dir(s.path, s.st, dest_rel, false));
      continue;
    }
    if (add && S_ISREG(s.st.st_mode)) {
      auto tmp = BERTH_TRY(TempDir::Create(backend_.ScratchDir(), "add-"));
      if (BERTH_TRY(ExtractArchive(s.path, tmp->path()))) {
        // An archive keeps its owners (--chown does not apply, as docker's
        // ADD); the directories it goes into are root's.
        struct stat dst_st = s.st;
        dst_st.st_mode = S_IFDIR | 0755;
        dst_st.st_uid = 0;
        dst_st.st_gid = 0;
        uid_t saved_uid = uid;
        gid_t saved_gid = gid;
        uid = 0;
        gid = 0;
        BERTH_TRY(copy_dir(tmp->path(), dst_st, dest_rel, true));
        uid = saved_uid;
        gid = saved_gid;
        extracted.push_back(std::move(tmp));
        continue;
      }
    }
    std::string base = s.rel.substr(s.rel.rfind('/') + 1);
    std::string target = dest_is_dir ? (dest_rel.empty() ? base : dest_rel + "/" + base) : dest_rel;
    if (target.empty()) return Error::Invalid(fmt::format("{}: cannot copy a file onto /", cmd_name));
    AddParents(&entries, image_root, target, uid, gid, now);
    entries[target] = entry_for(s.path, s.st, false);
  }

  view.reset();
  return CommitEntries(st, cc, entries, cmd_name);
}

Status Dispatcher::Workdir(const dockerfile::Instruction& in, StageState* st) {
  std::string w = BERTH_TRY(Word(in.args[0], *st));
  std::string cur = st->run_config.value("WorkingDir", "");
  std::string abs = fs::Clean(!w.empty() && w[0] == '/' ? w : (cur.empty() ? "/" : cur) + "/" + w);
  st->run_config["WorkingDir"] = abs;
  json cc = NopConfig(*st, "WORKDIR " + abs, true);
  if (BERTH_TRY(Probe(st, cc))) return Ok();
  std::unique_ptr<RootView> view = BERTH_TRY(backend_.View(st->image_id));
  std::string rel = Rel(abs);
  struct stat dst;
  if (rel.empty() || (!view->path().empty() && ::stat((view->path() + "/" + rel).c_str(), &dst) == 0))
    return CommitLayer(st, cc, "");
  TarEntries entries;
  const int64_t now = ::time(nullptr);
  AddParents(&entries, view->path(), rel + "/x", 0, 0, now);
  view.reset();
  return CommitEntries(st, cc, entries, "WORKDIR");
}

}  // namespace berth::build
