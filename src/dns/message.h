// DNS messages on the wire (RFC 1035, 2782 SRV, 3596 AAAA, 6891 EDNS0 OPT).
//
// Vocabulary: a Message is a Header, its Questions and three sections of
// Records (answer, authority, additional). Names are dotted text without
// the final dot ("db.service.berth"), compared case-insensitively
// (NameEqual). A Record keeps its RDATA in wire form with every name in it
// uncompressed, so a parsed record can be written again as is.
//
// Parse never crashes on bad input: every length and pointer is checked,
// compression pointers must point backwards and at most 64 are followed per
// name; anything wrong is kInvalidArgument. Build writes no compression;
// with a size limit (UDP: 512, or the client's EDNS size) records that do
// not fit are dropped and TC is set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::dns {

enum Type : uint16_t {
  kA = 1,
  kNS = 2,
  kCNAME = 5,
  kSOA = 6,
  kPTR = 12,
  kMX = 15,
  kTXT = 16,
  kAAAA = 28,
  kSRV = 33,
  kOPT = 41,
  kANY = 255,
};
inline constexpr uint16_t kClassIN = 1;

enum class Rcode : uint8_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNxDomain = 3,
  kNotImp = 4,
  kRefused = 5,
};

struct Header {
  uint16_t id = 0;
  bool qr = false;  // a response
  uint8_t opcode = 0;
  bool aa = false, tc = false, rd = false, ra = false;
  Rcode rcode = Rcode::kNoError;
};

struct Question {
  std::string name;
  uint16_t type = kA;
  uint16_t klass = kClassIN;
};

struct Record {
  std::string name;
  uint16_t type = kA;
  uint16_t klass = kClassIN;
  uint32_t ttl = 0;
  std::string rdata;  // wire form, names uncompressed

  static Record A(std::string name, const uint8_t (&ip)[4], uint32_t ttl);
  static Record AAAA(std::string name, const uint8_t (&ip)[16], uint32_t ttl);
  static Record Cname(std::string name, std::string_view target, uint32_t ttl);
  static Record Ptr(std::string name, std::string_view target, uint32_t ttl);
  static Record Srv(std::string name, uint16_t priority, uint16_t weight, uint16_t port,
                    std::string_view target, uint32_t ttl);
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;  // additional: without OPT
  std::optional<uint16_t> edns_udp_size;               // an OPT record was present
};

Result<Message> Parse(std::string_view wire);
// Just the header (the first 12 bytes), for answering FORMERR to a packet
// Parse refused.
Result<Header> ParseHeader(std::string_view wire);

// The wire form; max_size 0 means no limit (TCP, up to 65535).
std::string Build(const Message& m, size_t max_size = 0);

// A response to q with the same ID, question, RD and EDNS presence.
Message ReplyTo(const Message& q, Rcode rcode);

// Case-insensitive (ASCII) comparison of two names.
bool NameEqual(std::string_view a, std::string_view b);
// Lower case, without a trailing dot.
std::string NormalizeName(std::string_view name);
// The name of the A record a PTR question asks about ("4.3.2.1.in-addr.arpa"
// → 1.2.3.4), or nullopt.
std::optional<std::string> ReverseIpv4(std::string_view name);

// Decodes the names inside SRV/CNAME/PTR rdata (for tests and logs).
Result<std::string> RdataName(const Record& r);  // CNAME, PTR, NS
struct Srv {
  uint16_t priority, weight, port;
  std::string target;
};
Result<Srv> RdataSrv(const Record& r);

}  // namespace berth::dns
