#include "dns/message.h"

#include <cctype>

#include "base/strings.h"

namespace berth::dns {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxName = 255;
constexpr int kMaxPointers = 64;

Error Bad(const std::string& what) { return Error::Invalid("malformed DNS message: " + what); }

// A bounds-checked reader over the whole message (pointers are offsets
// from its start).
class Reader {
 public:
  explicit Reader(std::string_view wire) : w_(wire) {}

  size_t pos() const { return pos_; }
  size_t left() const { return w_.size() - pos_; }

  Result<uint8_t> U8() {
    if (left() < 1) return Bad("short at byte " + std::to_string(pos_));
    return static_cast<uint8_t>(w_[pos_++]);
  }
  Result<uint16_t> U16() {
    if (left() < 2) return Bad("short at byte " + std::to_string(pos_));
    uint16_t v = static_cast<uint16_t>((static_cast<uint8_t>(w_[pos_]) << 8) |
                                       static_cast<uint8_t>(w_[pos_ + 1]));
    pos_ += 2;
    return v;
  }
  Result<uint32_t> U32() {
    uint32_t hi = BERTH_TRY(U16());
    uint32_t lo = BERTH_TRY(U16());
    return (hi << 16) | lo;
  }
  Result<std::string_view> Bytes(size_t n) {
    if (left() < n) return Bad("short at byte " + std::to_string(pos_));
    std::string_view v = w_.substr(pos_, n);
    pos_ += n;
    return v;
  }

  // A possibly compressed name at the current position.
  Result<std::string> Name() {
    std::string out;
    size_t p = pos_;
    size_t wire_len = 0;  // total label bytes, as written uncompressed
    bool jumped = false;
    int pointers = 0;
    while (true) {
      if (p >= w_.size()) return Bad("name runs past the end");
      uint8_t len = static_cast<uint8_t>(w_[p]);
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= w_.size()) return Bad("truncated compression pointer");
        size_t target = (static_cast<size_t>(len & 0x3F) << 8) | static_cast<uint8_t>(w_[p + 1]);
        if (target >= p) return Bad("compression pointer does not point backwards");
        if (++pointers > kMaxPointers) return Bad("too many compression pointers");
        if (!jumped) pos_ = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) return Bad("unknown label type");
      if (len == 0) {
        if (!jumped) pos_ = p + 1;
        break;
      }
      if (p + 1 + len > w_.size()) return Bad("label runs past the end");
      wire_len += 1 + len;
      if (wire_len + 1 > kMaxName) return Bad("name longer than 255 bytes");
      if (!out.empty()) out += '.';
      out.append(w_.substr(p + 1, len));
      p += 1 + len;
    }
    return out;
  }

 private:
  std::string_view w_;
  size_t pos_ = 0;
};

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xFF));
}
void PutU32(std::string* out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v >> 16));
  PutU16(out, static_cast<uint16_t>(v & 0xFFFF));
}

// Uncompressed wire form of a dotted name; labels longer than 63 bytes are
// cut (names we build come from container names, which are shorter).
std::string EncodeName(std::string_view name) {
  std::string out;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.size() > 63) label = label.substr(0, 63);
    if (!label.empty()) {
      out.push_back(static_cast<char>(label.size()));
      out.append(label);
    }
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  out.push_back('\0');
  return out;
}

Result<Question> ReadQuestion(Reader& r) {
  Question q;
  q.name = BERTH_TRY(r.Name());
  q.type = BERTH_TRY(r.U16());
  q.klass = BERTH_TRY(r.U16());
  return q;
}

// Rdata with the names of the types we know decompressed.
Result<std::string> ReadRdata(Reader& r, std::string_view wire, uint16_t type, uint16_t len) {
  size_t start = r.pos();
  if (r.left() < len) return Bad("record data runs past the end");
  size_t end = start + len;
  std::string out;
  switch (type) {
    case kCNAME:
    case kPTR:
    case kNS:
      out = EncodeName(BERTH_TRY(r.Name()));
      break;
    case kMX: {
      PutU16(&out, BERTH_TRY(r.U16()));
      out += EncodeName(BERTH_TRY(r.Name()));
      break;
    }
    case kSRV: {
      for (int i = 0; i < 3; ++i) PutU16(&out, BERTH_TRY(r.U16()));
      out += EncodeName(BERTH_TRY(r.Name()));
      break;
    }
    default:
      return std::string(BERTH_TRY(r.Bytes(len)));
  }
  if (r.pos() != end) return Bad("record data length does not match its content");
  (void)wire;
  return out;
}

Result<Record> ReadRecord(Reader& r, std::string_view wire) {
  Record rec;
  rec.name = BERTH_TRY(r.Name());
  rec.type = BERTH_TRY(r.U16());
  rec.klass = BERTH_TRY(r.U16());
  rec.ttl = BERTH_TRY(r.U32());
  uint16_t len = BERTH_TRY(r.U16());
  rec.rdata = BERTH_TRY(ReadRdata(r, wire, rec.type, len));
  return rec;
}

void WriteRecord(std::string* out, const Record& r) {
  *out += EncodeName(r.name);
  PutU16(out, r.type);
  PutU16(out, r.klass);
  PutU32(out, r.ttl);
  PutU16(out, static_cast<uint16_t>(r.rdata.size()));
  *out += r.rdata;
}

}  // namespace

Record Record::A(std::string name, const uint8_t (&ip)[4], uint32_t ttl) {
  return {std::move(name), kA, kClassIN, ttl, std::string(reinterpret_cast<const char*>(ip), 4)};
}
Record Record::AAAA(std::string name, const uint8_t (&ip)[16], uint32_t ttl) {
  return {std::move(name), kAAAA, kClassIN, ttl,
          std::string(reinterpret_cast<const char*>(ip), 16)};
}
Record Record::Cname(std::string name, std::string_view target, uint32_t ttl) {
  return {std::move(name), kCNAME, kClassIN, ttl, EncodeName(target)};
}
Record Record::Ptr(std::string name, std::string_view target, uint32_t ttl) {
  return {std::move(name), kPTR, kClassIN, ttl, EncodeName(target)};
}
Record Record::Srv(std::string name, uint16_t priority, uint16_t weight, uint16_t port,
                   std::string_view target, uint32_t ttl) {
  std::string rd;
  PutU16(&rd, priority);
  PutU16(&rd, weight);
  PutU16(&rd, port);
  rd += EncodeName(target);
  return {std::move(name), kSRV, kClassIN, ttl, std::move(rd)};
}

Result<Header> ParseHeader(std::string_view wire) {
  Reader r(wire);
  Header h;
  h.id = BERTH_TRY(r.U16());
  uint16_t flags = BERTH_TRY(r.U16());
  h.qr = flags & 0x8000;
  h.opcode = (flags >> 11) & 0xF;
  h.aa = flags & 0x0400;
  h.tc = flags & 0x0200;
  h.rd = flags & 0x0100;
  h.ra = flags & 0x0080;
  h.rcode = static_cast<Rcode>(flags & 0xF);
  return h;
}

Result<Message> Parse(std::string_view wire) {
  if (wire.size() < kHeaderSize) return Bad("shorter than a header");
  Message m;
  m.header = BERTH_TRY(ParseHeader(wire));
  Reader r(wire);
  (void)BERTH_TRY(r.Bytes(4));
  uint16_t qd = BERTH_TRY(r.U16()), an = BERTH_TRY(r.U16()), ns = BERTH_TRY(r.U16()),
           ar = BERTH_TRY(r.U16());
  // Each question takes at least 5 bytes and each record 11: counts the
  // packet cannot hold are refused before any allocation.
  if (size_t(qd) * 5 + (size_t(an) + ns + ar) * 11 > wire.size() - kHeaderSize)
    return Bad("section counts larger than the message");
  for (int i = 0; i < qd; ++i) m.questions.push_back(BERTH_TRY(ReadQuestion(r)));
  for (int i = 0; i < an; ++i) m.answers.push_back(BERTH_TRY(ReadRecord(r, wire)));
  for (int i = 0; i < ns; ++i) m.authority.push_back(BERTH_TRY(ReadRecord(r, wire)));
  for (int i = 0; i < ar; ++i) {
    Record rec = BERTH_TRY(ReadRecord(r, wire));
    if (rec.type == kOPT) {
      if (m.edns_udp_size) return Bad("more than one OPT record");
      m.edns_udp_size = std::max<uint16_t>(rec.klass, 512);
      continue;
    }
    m.additional.push_back(std::move(rec));
  }
  return m;
}

std::string Build(const Message& m, size_t max_size) {
  if (max_size == 0 || max_size > 65535) max_size = 65535;
  std::string out;
  const Header& h = m.header;
  PutU16(&out, h.id);
  uint16_t flags = (h.qr ? 0x8000 : 0) | ((h.opcode & 0xF) << 11) | (h.aa ? 0x0400 : 0) |
                   (h.tc ? 0x0200 : 0) | (h.rd ? 0x0100 : 0) | (h.ra ? 0x0080 : 0) |
                   (static_cast<uint8_t>(h.rcode) & 0xF);
  PutU16(&out, flags);
  std::string body;
  for (const Question& q : m.questions) {
    body += EncodeName(q.name);
    PutU16(&body, q.type);
    PutU16(&body, q.klass);
  }
  std::string opt;
  if (m.edns_udp_size) {
    opt.push_back('\0');
    PutU16(&opt, kOPT);
    PutU16(&opt, *m.edns_udp_size);
    PutU32(&opt, 0);
    PutU16(&opt, 0);
  }
  // Records are added while they fit (with room kept for the OPT record);
  // the first that does not sets TC and ends the message.
  bool truncated = false;
  uint16_t counts[3] = {0, 0, 0};
  const std::vector<Record>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (int s = 0; s < 3 && !truncated; ++s)
    for (const Record& rec : *sections[s]) {
      std::string one;
      WriteRecord(&one, rec);
      if (kHeaderSize + body.size() + one.size() + opt.size() > max_size) {
        truncated = s < 2;  // dropping additional records is not truncation
        break;
      }
      body += one;
      ++counts[s];
    }
  if (truncated) out[2] = static_cast<char>(out[2] | 0x02);
  PutU16(&out, static_cast<uint16_t>(m.questions.size()));
  if (!opt.empty()) ++counts[2];
  for (uint16_t c : counts) PutU16(&out, c);
  out += body;
  out += opt;
  return out;
}

Message ReplyTo(const Message& q, Rcode rcode) {
  Message r;
  r.header.id = q.header.id;
  r.header.qr = true;
  r.header.opcode = q.header.opcode;
  r.header.rd = q.header.rd;
  r.header.ra = true;
  r.header.rcode = rcode;
  r.questions = q.questions;
  if (q.edns_udp_size) r.edns_udp_size = 1232;
  return r;
}

bool NameEqual(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (!b.empty() && b.back() == '.') b.remove_suffix(1);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string NormalizeName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> ReverseIpv4(std::string_view name) {
  std::string n = NormalizeName(name);
  constexpr std::string_view kSuffix = ".in-addr.arpa";
  if (n.size() <= kSuffix.size() || n.compare(n.size() - kSuffix.size(), kSuffix.size(), kSuffix))
    return std::nullopt;
  std::vector<std::string> parts = str::Split(n.substr(0, n.size() - kSuffix.size()), '.');
  if (parts.size() != 4) return std::nullopt;
  for (const std::string& p : parts) {
    auto v = str::ParseInt(p);
    if (!v || *v < 0 || *v > 255 || p.empty() || p.size() > 3) return std::nullopt;
  }
  return parts[3] + "." + parts[2] + "." + parts[1] + "." + parts[0];
}

Result<std::string> RdataName(const Record& r) {
  Reader rd(r.rdata);
  return rd.Name();
}

Result<Srv> RdataSrv(const Record& r) {
  Reader rd(r.rdata);
  Srv s;
  s.priority = BERTH_TRY(rd.U16());
  s.weight = BERTH_TRY(rd.U16());
  s.port = BERTH_TRY(rd.U16());
  s.target = BERTH_TRY(rd.Name());
  return s;
}

}  // namespace berth::dns
