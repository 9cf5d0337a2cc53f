// ImageStore::Remove (docker rmi) and ImageStore::Prune (docker image prune),
// following the rules of moby's daemon/images/image_delete.go.
#include <algorithm>

#include "base/strings.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"

namespace berth::image {
namespace {

bool IsDigestRef(const std::string& full) { return full.find('@') != std::string::npos; }

std::string NameOf(const std::string& full) {
  auto r = ref::ParseNormalized(full);
  return r.ok() ? r->Name() : full;
}

std::string Familiar(const std::string& full) {
  auto r = ref::ParseNormalized(full);
  return r.ok() ? r->Familiar() : full;
}

// Docker's isSingleReference: at most one tag, and digest references only
// in that tag's repository.
bool IsSingleReference(const std::vector<std::string>& refs) {
  if (refs.size() <= 1) return refs.size() == 1;
  std::string single;
  std::set<std::string> canonical;
  for (const std::string& r : refs) {
    if (IsDigestRef(r)) {
      canonical.insert(NameOf(r));
    } else if (single.empty()) {
      single = r;
    } else {
      return false;
    }
  }
  if (single.empty()) single = refs[0];
  return canonical.size() == 1 && canonical.count(NameOf(single));
}

bool IsIdPrefix(const std::string& id, std::string_view s) {
  if (str::StartsWith(id, s)) return true;
  return str::StartsWith(std::string_view(id).substr(7), s);
}

enum Conflict : unsigned {
  kDependentChild = 1,
  kRunningContainer = 2,
  kActiveReference = 4,
  kStoppedContainer = 8,
  kHard = kDependentChild | kRunningContainer,
  kSoft = kActiveReference | kStoppedContainer,
};

struct ConflictError {
  bool hard = false;
  bool used = false;
  std::string message;
};

std::optional<ContainerUse> FirstUser(const InUseFn& in_use, const Digest& id, int running) {
  if (!in_use) return std::nullopt;
  for (const ContainerUse& c : in_use(id.str()))
    if (running < 0 || c.running == (running == 1)) return c;
  return std::nullopt;
}

}  // namespace

struct RemoveCtx {
  ImageStore::Impl* impl;
  const InUseFn& in_use;

  Result<std::optional<ConflictError>> Check(const Digest& id, unsigned mask) {
    if ((mask & kDependentChild) && !BERTH_TRY(impl->ChildrenLocked(id)).empty())
      return std::optional<ConflictError>({true, false, "image has dependent child images"});
    if (mask & kRunningContainer)
      if (auto c = FirstUser(in_use, id, 1))
        return std::optional<ConflictError>(
            {true, true, "image is being used by running container " + ShortId(c->id)});
    if ((mask & kActiveReference) && !BERTH_TRY(impl->RefsLocked(id)).empty())
      return std::optional<ConflictError>({false, false, "image is referenced in multiple repositories"});
    if (mask & kStoppedContainer)
      if (auto c = FirstUser(in_use, id, 0))
        return std::optional<ConflictError>(
            {false, true, "image is being used by stopped container " + ShortId(c->id)});
    return std::optional<ConflictError>();
  }

  static Error ToError(const Digest& id, const ConflictError& c) {
    return Error(Code::kConflict, "conflict: unable to delete " + id.ShortId() + " (" +
                                      (c.hard ? "cannot be forced" : "must be forced") + ") - " +
                                      c.message);
  }

  // moby's imageDeleteHelper.
  Status Helper(const Digest& id, std::vector<DeleteItem>* items, bool force, bool prune, bool quiet) {
    unsigned mask = kHard | (force ? 0u : unsigned(kSoft));
    if (auto c = BERTH_TRY(Check(id, mask))) {
      bool dangling = BERTH_TRY(impl->RefsLocked(id)).empty();
      if (quiet && (!dangling || c->used)) return Ok();
      return ToError(id, *c);
    }
    std::string parent = BERTH_TRY(impl->RecordLocked(id)).parent;
    for (const std::string& r : BERTH_TRY(impl->RefsLocked(id))) items->push_back({Familiar(r), ""});
    BERTH_TRY(impl->DeleteImageLocked(id, items));
    if (!prune || parent.empty()) return Ok();
    auto pid = Digest::Parse(parent);
    if (!pid.ok()) return Ok();
    sql::Statement st = BERTH_TRY(Query(impl->db, "SELECT 1 FROM images WHERE id=?1", parent));
    if (!BERTH_TRY(st.Step())) return Ok();
    return Helper(*pid, items, false, true, true);
  }

  Result<std::vector<DeleteItem>> Remove(std::string_view ref_or_id, bool force, bool prune) {
    std::vector<DeleteItem> items;
    Digest id = BERTH_TRY(impl->ResolveIdLocked(ref_or_id));
    std::vector<std::string> refs = BERTH_TRY(impl->RefsLocked(id));
    bool removed_ref = false;
    if (!IsIdPrefix(id.str(), ref_or_id)) {
      if (!force && IsSingleReference(refs))
        if (auto c = FirstUser(in_use, id, -1))
          return Error(Code::kConflict, "conflict: unable to remove repository reference \"" +
                                            std::string(ref_or_id) + "\" (must force) - container " +
                                            ShortId(c->id) + " is using its referenced image " +
                                            id.ShortId());
      ref::Reference r = BERTH_TRY(NormalizeTagged(ref_or_id));
      const std::string full = r.Full();
      if (std::find(refs.begin(), refs.end(), full) == refs.end())
        return Error::NotFound("No such image: " + r.Familiar());
      BERTH_TRY(Exec(impl->db, "DELETE FROM refs WHERE name=?1", full));
      items.push_back({r.Familiar(), ""});
      refs = BERTH_TRY(impl->RefsLocked(id));
      if (r.digest.empty()) {
        // A tag went: digest references of the same repository go with the
        // last tag of that repository.
        bool tag_left = false;
        for (const std::string& x : refs) tag_left = tag_left || (!IsDigestRef(x) && NameOf(x) == r.Name());
        if (!tag_left) {
          std::vector<std::string> remaining;
          for (const std::string& x : refs) {
            if (IsDigestRef(x) && NameOf(x) == r.Name()) {
              BERTH_TRY(Exec(impl->db, "DELETE FROM refs WHERE name=?1", x));
              items.push_back({Familiar(x), ""});
            } else {
              remaining.push_back(x);
            }
          }
          refs = remaining;
        }
      }
      if (!refs.empty()) return items;
      removed_ref = true;
    } else if (IsSingleReference(refs)) {
      unsigned mask = kHard | (force ? 0u : (unsigned(kSoft) & ~unsigned(kActiveReference)));
      if (auto c = BERTH_TRY(Check(id, mask))) return ToError(id, *c);
      for (const std::string& x : refs) {
        BERTH_TRY(Exec(impl->db, "DELETE FROM refs WHERE name=?1", x));
        items.push_back({Familiar(x), ""});
      }
    }
    BERTH_TRY(Helper(id, &items, force, prune, removed_ref));
    return items;
  }
};

Result<std::vector<DeleteItem>> ImageStore::Remove(std::string_view ref_or_id, bool force,
                                                   bool prune, const InUseFn& in_use) {
  std::lock_guard lock(impl_->mu);
  RemoveCtx ctx{impl_.get(), in_use};
  return ctx.Remove(ref_or_id, force, prune);
}

Result<PruneReport> ImageStore::Prune(bool all, const Filters& filters, const InUseFn& in_use) {
  for (const auto& [k, v] : filters)
    if (k != "until" && k != "label" && k != "label!")
      return Error::Invalid("Invalid filter '" + k + "'");
  std::optional<int64_t> until;
  if (auto it = filters.find("until"); it != filters.end())
    for (const std::string& v : it->second) {
      if (auto n = str::ParseInt(v)) {
        until = *n;
      } else if (Timestamp t = ParseRfc3339(v); t.valid) {
        until = t.sec;
      } else if (!v.empty() && (v.back() == 'h' || v.back() == 'm' || v.back() == 's')) {
        auto n2 = str::ParseInt(std::string_view(v).substr(0, v.size() - 1));
        if (!n2) return Error::Invalid("invalid until filter '" + v + "'");
        int64_t mul = v.back() == 'h' ? 3600 : v.back() == 'm' ? 60 : 1;
        until = Now().sec - *n2 * mul;
      } else {
        return Error::Invalid("invalid until filter '" + v + "'");
      }
    }
  std::lock_guard lock(impl_->mu);
  RemoveCtx ctx{impl_.get(), in_use};
  PruneReport rep;
  std::map<std::string, int64_t> layer_sizes;
  {
    sql::Statement st = BERTH_TRY(Query(impl_->db, "SELECT chain_id, size FROM layers"));
    while (BERTH_TRY(st.Step())) layer_sizes[st.Text(0)] = st.Int(1);
  }
  for (const Digest& id : BERTH_TRY(impl_->AllImagesLocked())) {
    sql::Statement exists = BERTH_TRY(Query(impl_->db, "SELECT 1 FROM images WHERE id=?1", id.str()));
    if (!BERTH_TRY(exists.Step())) continue;  // went with an earlier one
    std::vector<std::string> refs = BERTH_TRY(impl_->RefsLocked(id));
    bool has_children = !BERTH_TRY(impl_->ChildrenLocked(id)).empty();
    if (!all && has_children) continue;  // heads only
    if (refs.empty() && has_children) continue;
    ImageRecord r = BERTH_TRY(impl_->RecordLocked(id));
    if (until && r.created > *until) continue;
    ImageConfig cfg = BERTH_TRY_CTX(ParseImageConfig(r.config_json), "image " + id.str());
    if (auto it = filters.find("label"); it != filters.end() && !MatchLabels(it->second, cfg.config.labels))
      continue;
    if (auto it = filters.find("label!"); it != filters.end() && !it->second.empty() &&
                                          MatchLabels(it->second, cfg.config.labels))
      continue;
    std::vector<DeleteItem> deleted;
    if (!refs.empty()) {
      bool should = all;
      if (!should) {
        bool has_tag = false;
        for (const std::string& x : refs) has_tag = has_tag || !IsDigestRef(x);
        should = !has_tag;
      }
      if (!should) continue;
      for (const std::string& x : refs) {
        auto items = ctx.Remove(x, false, true);
        if (items.ok()) deleted.insert(deleted.end(), items->begin(), items->end());
      }
    } else {
      auto items = ctx.Remove(id.hex(), false, true);
      if (items.ok()) deleted = std::move(*items);
    }
    rep.images_deleted.insert(rep.images_deleted.end(), deleted.begin(), deleted.end());
  }
  for (const DeleteItem& d : rep.images_deleted)
    if (auto it = layer_sizes.find(d.deleted); it != layer_sizes.end())
      rep.space_reclaimed += static_cast<uint64_t>(it->second);
  return rep;
}

}  // namespace berth::image
