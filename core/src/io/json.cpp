#include "saematch/json.h"
#include "saematch/error.h"
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace saematch {
namespace {
struct Parser {
  const std::string& s;
  size_t i = 0;
  int depth = 0;
  [[noreturn]] void bad(const char* what) { fail("invalid JSON at byte " + std::to_string(i) + ": " + what); }
  void ws() { while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i; }
  bool lit(const char* w) {
    size_t n = std::char_traits<char>::length(w);
    if (s.compare(i, n, w) == 0) { i += n; return true; }
    return false;
  }
  void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xc0 | cp >> 6); out += char(0x80 | (cp & 63)); }
    else if (cp < 0x10000) { out += char(0xe0 | cp >> 12); out += char(0x80 | (cp >> 6 & 63)); out += char(0x80 | (cp & 63)); }
    else { out += char(0xf0 | cp >> 18); out += char(0x80 | (cp >> 12 & 63)); out += char(0x80 | (cp >> 6 & 63)); out += char(0x80 | (cp & 63)); }
  }
  unsigned hex4() {
    if (i + 4 > s.size()) bad("short \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i++]; v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0'; else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10; else bad("bad \\u escape");
    }
    return v;
  }
  std::string str() {
    if (s[i] != '"') bad("expected string");
    ++i;
    std::string out;
    while (true) {
      if (i >= s.size()) bad("unterminated string");
      char c = s[i++];
      if (c == '"') return out;
      if (c != '\\') { out += c; continue; }
      if (i >= s.size()) bad("unterminated escape");
      char e = s[i++];
      switch (e) {
        case '"': out += '"'; break; case '\\': out += '\\'; break; case '/': out += '/'; break;
        case 'b': out += '\b'; break; case 'f': out += '\f'; break; case 'n': out += '\n'; break;
        case 'r': out += '\r'; break; case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && lit("\\u")) cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4() - 0xdc00);
          utf8(out, cp); break;
        }
        default: bad("bad escape");
      }
    }
  }
  Json value() {
    if (++depth > 200) bad("nesting too deep");
    ws();
    if (i >= s.size()) bad("unexpected end");
    Json j;
    char c = s[i];
    if (c == '{') {
      j.type = Json::Object; ++i; ws();
      if (i < s.size() && s[i] == '}') { ++i; --depth; return j; }
      while (true) {
        ws(); if (i >= s.size()) bad("unexpected end");
        std::string k = str(); ws();
        if (i >= s.size() || s[i] != ':') bad("expected ':'");
        ++i;
        j.obj.emplace_back(std::move(k), value()); ws();
        if (i < s.size() && s[i] == ',') { ++i; continue; }
        if (i < s.size() && s[i] == '}') { ++i; break; }
        bad("expected ',' or '}'");
      }
    } else if (c == '[') {
      j.type = Json::Array; ++i; ws();
      if (i < s.size() && s[i] == ']') { ++i; --depth; return j; }
      while (true) {
        j.arr.push_back(value()); ws();
        if (i < s.size() && s[i] == ',') { ++i; continue; }
        if (i < s.size() && s[i] == ']') { ++i; break; }
        bad("expected ',' or ']'");
      }
    } else if (c == '"') { j.type = Json::String; j.str = str(); }
    else if (lit("true")) { j.type = Json::Bool; j.b = true; }
    else if (lit("false")) { j.type = Json::Bool; }
    else if (lit("null")) {}
    else if (lit("NaN")) { j.type = Json::Number; j.num = NAN; }  // Python's json writes these
    else if (lit("Infinity")) { j.type = Json::Number; j.num = INFINITY; }
    else if (lit("-Infinity")) { j.type = Json::Number; j.num = -INFINITY; }
    else if (c == '-' || (c >= '0' && c <= '9')) {
      const char* begin = s.c_str() + i; char* end = nullptr;
      j.type = Json::Number; j.num = std::strtod(begin, &end);
      if (end == begin) bad("bad number");
      i += size_t(end - begin);
    } else bad("unexpected character");
    --depth;
    return j;
  }
};

void dump_to(const Json& j, std::string& o) {
  switch (j.type) {
    case Json::Null: o += "null"; break;
    case Json::Bool: o += j.b ? "true" : "false"; break;
    case Json::Number: {
      if (!std::isfinite(j.num)) { o += "null"; break; }
      char buf[32];
      if (j.num == std::floor(j.num) && std::fabs(j.num) < 9e15) std::snprintf(buf, sizeof buf, "%.0f", j.num);
      else std::snprintf(buf, sizeof buf, "%.9g", j.num);
      o += buf; break;
    }
    case Json::String: o += '"'; o += json_escape(j.str); o += '"'; break;
    case Json::Array:
      o += '[';
      for (size_t k = 0; k < j.arr.size(); ++k) { if (k) o += ','; dump_to(j.arr[k], o); }
      o += ']'; break;
    case Json::Object:
      o += '{';
      for (size_t k = 0; k < j.obj.size(); ++k) {
        if (k) o += ',';
        o += '"'; o += json_escape(j.obj[k].first); o += "\":"; dump_to(j.obj[k].second, o);
      }
      o += '}'; break;
  }
}
}  // namespace

std::string json_escape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"') o += "\\\""; else if (c == '\\') o += "\\\\"; else if (c == '\n') o += "\\n";
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); o += b; }
    else o += char(c);
  }
  return o;
}

Json Json::parse(const std::string& text) {
  Parser p{text};
  Json j = p.value();
  p.ws();
  if (p.i != text.size()) p.bad("trailing characters");
  return j;
}
std::string Json::dump() const { std::string o; dump_to(*this, o); return o; }
const Json* Json::find(const std::string& key) const {
  if (type != Object) return nullptr;
  for (auto& kv : obj) if (kv.first == key) return &kv.second;
  return nullptr;
}
const Json& Json::at(const std::string& key) const {
  const Json* j = find(key);
  if (!j) fail("missing JSON key '" + key + "'");
  return *j;
}
double Json::as_num(const std::string& what) const {
  if (type != Number) fail(what + " must be a number");
  return num;
}
const std::string& Json::as_str(const std::string& what) const {
  if (type != String) fail(what + " must be a string");
  return str;
}
Json& Json::set(const std::string& k, Json v) {
  type = Object;
  for (auto& kv : obj) if (kv.first == k) { kv.second = std::move(v); return kv.second; }
  obj.emplace_back(k, std::move(v));
  return obj.back().second;
}
}  // namespace saematch
