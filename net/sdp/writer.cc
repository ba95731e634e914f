#include "net/sdp/writer.h"

#include "core/strings.h"

namespace ringcast::net::sdp {
namespace {

using core::StrAppend;

void Line(std::string& out, char type, std::string_view value) {
  StrAppend(out, type, "=", value, "\r\n");
}

// Fields separated by single spaces; trailing empty fields are left out (the parser fills
// the fields of a short o= or c= line from the left).
template <size_t N>
void FieldsLine(std::string& out, char type, const std::string* (&&fields)[N]) {
  size_t count = N;
  while (count > 0 && fields[count - 1]->empty()) --count;
  StrAppend(out, type, "=");
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out.push_back(' ');
    out.append(*fields[i]);
  }
  out.append("\r\n");
}

void Connections(std::string& out, const std::vector<Connection>& connections) {
  for (const Connection& c : connections) {
    FieldsLine(out, 'c', {&c.net_type, &c.addr_type, &c.address});
  }
}

void Bandwidths(std::string& out, const std::vector<Bandwidth>& bandwidths) {
  for (const Bandwidth& b : bandwidths) StrAppend(out, "b=", b.type, ":", b.value, "\r\n");
}

void Attributes(std::string& out, const std::vector<Attribute>& attributes) {
  for (const Attribute& a : attributes) {
    if (a.value.empty()) {
      StrAppend(out, "a=", a.name, "\r\n");
    } else {
      StrAppend(out, "a=", a.name, ":", a.value, "\r\n");
    }
  }
}

void MediaSection(std::string& out, const Media& m) {
  StrAppend(out, "m=", m.type, " ", m.port);
  if (m.port_count > 0) StrAppend(out, "/", m.port_count);
  StrAppend(out, " ", m.proto);
  for (const std::string& format : m.formats) StrAppend(out, " ", format);
  out.append("\r\n");
  if (m.information) Line(out, 'i', *m.information);
  Connections(out, m.connections);
  Bandwidths(out, m.bandwidths);
  if (m.key) Line(out, 'k', *m.key);
  Attributes(out, m.attributes);
}

}  // namespace

std::string WriteSdp(const Session& s) {
  std::string out;
  StrAppend(out, "v=", s.version, "\r\n");
  if (s.origin) {
    const Origin& o = *s.origin;
    FieldsLine(
        out, 'o',
        {&o.username, &o.session_id, &o.session_version, &o.net_type, &o.addr_type, &o.address});
  }
  Line(out, 's', s.name);
  if (s.information) Line(out, 'i', *s.information);
  if (s.uri) Line(out, 'u', *s.uri);
  for (const std::string& e : s.emails) Line(out, 'e', e);
  for (const std::string& p : s.phones) Line(out, 'p', p);
  Connections(out, s.connections);
  Bandwidths(out, s.bandwidths);
  for (const Timing& t : s.timings) {
    StrAppend(out, "t=", t.start, " ", t.stop, "\r\n");
    for (const std::string& r : t.repeats) Line(out, 'r', r);
  }
  if (s.time_zones) Line(out, 'z', *s.time_zones);
  if (s.key) Line(out, 'k', *s.key);
  Attributes(out, s.attributes);
  for (const Media& m : s.media) MediaSection(out, m);
  return out;
}

}  // namespace ringcast::net::sdp
