// What the DNS server answers with: a chain of Resolvers asked in order.
//
// A Resolver answers the names it owns (container names on a network,
// "<name>.service.berth", ...) and returns nullopt for the others, which
// the next resolver gets; a question no resolver takes is forwarded to the
// client's upstream servers (server.h). Resolvers run on the server's one
// thread, must not block (no network I/O; an in-memory lookup under a
// short lock) and may be called for any client at any time.
//
// Adding one: server->AddResolver(std::make_shared<MyResolver>(...)); the
// chain keeps the order of the calls.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dns/message.h"

namespace berth::dns {

// Who asks: a container (its full ID) or the host ("" container_id: a
// listener opened on a host address).
struct Client {
  std::string container_id;
};

// A resolver's verdict on a question it owns.
struct Answer {
  Rcode rcode = Rcode::kNoError;
  std::vector<Record> answers;     // records for the question's name (and CNAME chain)
  std::vector<Record> additional;  // e.g. A records of SRV targets
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // nullopt: not a name this resolver owns (ask the next one). An Answer
  // with no records and kNoError is "the name exists, no record of that
  // type"; kNxDomain "no such name".
  virtual std::optional<Answer> Resolve(const Question& q, const Client& who) = 0;
};

}  // namespace berth::dns
