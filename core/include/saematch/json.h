#pragma once
// Minimal JSON: enough for SAELens cfg.json, safetensors headers and pack manifests.
// Numbers are doubles; objects keep insertion order so written files are stable.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace saematch {
struct Json {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;

  static Json parse(const std::string& text);  // throws Error with byte offset
  std::string dump() const;

  const Json* find(const std::string& key) const;  // nullptr if absent or not an object
  const Json& at(const std::string& key) const;    // throws if absent
  bool is_num() const { return type == Number; }
  bool is_str() const { return type == String; }
  double as_num(const std::string& what) const;
  const std::string& as_str(const std::string& what) const;

  static Json number(double v) { Json j; j.type = Number; j.num = v; return j; }
  static Json string(std::string s) { Json j; j.type = String; j.str = std::move(s); return j; }
  static Json boolean(bool v) { Json j; j.type = Bool; j.b = v; return j; }
  static Json array() { Json j; j.type = Array; return j; }
  static Json object() { Json j; j.type = Object; return j; }
  Json& set(const std::string& k, Json v);  // object insert/replace
  Json& push(Json v) { arr.push_back(std::move(v)); return *this; }
};
std::string json_escape(const std::string& s);
}  // namespace saematch
