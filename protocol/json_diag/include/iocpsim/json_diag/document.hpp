// Reading a hand-written JSON document safely: the file is checked before it is read (a regular
// file, not larger than a cap), its encoding is named when it is not UTF-8, and the parse is
// strict and bounded — nesting deeper than a limit, a duplicate key and a number that does not fit
// a double are each a normal error with line:column, never an exception from deep inside the JSON
// library, unbounded recursion or a silent "the last key wins".
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocpsim::json_diag {

struct DocumentLimits {
  std::size_t max_bytes = 4u << 20;  // a scenario library file is a few KiB
  std::size_t max_depth = 64;        // objects and arrays inside each other
};

// `where` is "file" or "file:line:column"; what() is "where: problem".
class DocumentError : public std::runtime_error {
 public:
  DocumentError(std::string where, const std::string& problem)
      : std::runtime_error(where + ": " + problem), where_(std::move(where)), problem_(problem) {}
  const std::string& where() const noexcept { return where_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string where_;
  std::string problem_;
};

namespace detail {

// 1-based line and column of byte offset `byte` (the byte the parser stopped at).
inline std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

inline std::string at(const std::string& file, std::string_view text, std::size_t byte) {
  const auto [line, col] = line_col(text, byte);
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

// The encoding of a document that is not UTF-8, from its byte-order mark or its NUL bytes.
inline const char* foreign_encoding(std::string_view text) {
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0x100u; };
  if (byte(0) == 0xFF && byte(1) == 0xFE)
    return byte(2) == 0 && byte(3) == 0 ? "UTF-32 (little-endian)" : "UTF-16 (little-endian)";
  if (byte(0) == 0xFE && byte(1) == 0xFF) return "UTF-16 (big-endian)";
  if (byte(0) == 0 && byte(1) == 0 && byte(2) == 0xFE && byte(3) == 0xFF) return "UTF-32 (big-endian)";
  if (text.size() >= 2 && byte(0) != 0 && byte(1) == 0) return "UTF-16 (little-endian, no byte-order mark)";
  if (text.size() >= 2 && byte(0) == 0 && byte(1) != 0) return "UTF-16 (big-endian, no byte-order mark)";
  return nullptr;
}

// A character iterator that remembers, in *mark, the last byte the parser looked at: the SAX
// callbacks carry no position, and a duplicate key or a too-deep value needs one.
class MarkingIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  MarkingIterator() = default;
  MarkingIterator(const char* p, const char** mark) : p_(p), mark_(mark) {}
  reference operator*() const {
    *mark_ = p_;
    return *p_;
  }
  MarkingIterator& operator++() {
    ++p_;
    return *this;
  }
  MarkingIterator operator++(int) {
    MarkingIterator old = *this;
    ++p_;
    return old;
  }
  bool operator==(const MarkingIterator& other) const { return p_ == other.p_; }
  bool operator!=(const MarkingIterator& other) const { return p_ != other.p_; }

 private:
  const char* p_ = nullptr;
  const char** mark_ = nullptr;
};

// Builds the DOM like nlohmann's own parser, and stops with a message at what it refuses.
class StrictSax {
 public:
  using json = nlohmann::json;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  // `*mark` is the last byte the parser looked at (MarkingIterator); `begin` the first of the text.
  StrictSax(json& root, std::size_t max_depth, const char* begin, const char* const* mark)
      : dom_(root, /*allow_exceptions=*/false), max_depth_(max_depth), begin_(begin), mark_(mark) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
  bool string(string_t& v) { return dom_.string(v); }
  bool binary(binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!deeper()) return false;
    keys_.emplace_back();
    return dom_.start_object(n);
  }
  bool key(string_t& k) {
    if (!keys_.back().insert(k).second) {
      problem_ = "duplicate key \"" + shortened_key(k) + "\" in this object (each key may appear once)";
      // The parser has just read the key's closing quote: point at its opening one.
      const char* p = *mark_;
      while (p > begin_ && !(p[-1] == '"' && (p - 1 == begin_ || p[-2] != '\\'))) --p;
      error_byte_ = static_cast<std::size_t>(p - begin_);
      return false;
    }
    return dom_.key(k);
  }
  bool end_object() {
    keys_.pop_back();
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return deeper() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  // nlohmann passes a position_t, which converts to the byte offset.
  template <class Exception>
  bool parse_error(std::size_t byte, const std::string& token, const Exception& e) {
    error_byte_ = byte;
    const std::string what = e.what();
    if (e.id == 406) {  // out_of_range.406: a number that does not fit
      problem_ = "number " + shortened_key(token) +
                 " is out of range (a JSON number here must fit a double, at most about 1.8e308)";
    } else {
      // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
      const std::size_t colon = what.find(": ");
      problem_ = colon == std::string::npos ? what : what.substr(colon + 2);
    }
    return false;
  }
  bool is_errored() const { return dom_.is_errored(); }

  const std::string& problem() const noexcept { return problem_; }
  std::size_t error_byte() const noexcept { return error_byte_; }
  bool errored_with_position() const noexcept { return error_byte_ != SIZE_MAX; }

 private:
  bool deeper() {
    if (++depth_ <= max_depth_) return true;
    problem_ = "nested deeper than " + std::to_string(max_depth_) + " levels of objects and arrays";
    return false;
  }
  static std::string shortened_key(const std::string& k) { return k.size() > 60 ? k.substr(0, 57) + "..." : k; }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::size_t max_depth_;
  const char* begin_;
  const char* const* mark_;
  std::size_t depth_ = 0;
  std::vector<std::set<std::string>> keys_;
  std::string problem_;
  std::size_t error_byte_ = SIZE_MAX;
};

}  // namespace detail

// Parses `text` (the contents of `file`); throws DocumentError with file:line:column.
inline nlohmann::json parse_document(std::string_view text, const std::string& file,
                                     const DocumentLimits& limits = {}) {
  if (const char* encoding = detail::foreign_encoding(text)) {
    throw DocumentError(file, std::string("is encoded as ") + encoding + "; save it as UTF-8");
  }
  nlohmann::json root;
  const char* mark = text.data();
  detail::StrictSax sax(root, limits.max_depth, text.data(), &mark);
  const detail::MarkingIterator first(text.data(), &mark);
  const detail::MarkingIterator last(text.data() + text.size(), &mark);
  const bool ok = nlohmann::json::sax_parse(first, last, &sax, nlohmann::json::input_format_t::json, /*strict=*/true);
  if (ok && !sax.is_errored()) return root;
  const std::size_t byte =
      sax.errored_with_position() ? sax.error_byte() : static_cast<std::size_t>(mark - text.data()) + 1;
  throw DocumentError(detail::at(file, text, byte), sax.problem().empty() ? "not valid JSON" : sax.problem());
}

// Reads `path` whole, after checking that it is a regular file within the size cap.
inline std::string read_document_file(const std::string& path, const DocumentLimits& limits = {}) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw DocumentError(path, std::string("cannot be read (") + std::strerror(errno) + ")");
  if (S_ISDIR(st.st_mode)) throw DocumentError(path, "is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    throw DocumentError(path, "is not a regular file (a device, FIFO or socket cannot be read as a document)");
  }
  if (static_cast<std::uint64_t>(st.st_size) > limits.max_bytes) {
    throw DocumentError(path, "is " + std::to_string(st.st_size) + " bytes; the limit is " +
                                  std::to_string(limits.max_bytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DocumentError(path, std::string("cannot be read (") + std::strerror(errno) + ")");
  std::string text;
  text.resize(limits.max_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw DocumentError(path, "cannot be read (an I/O error)");
  if (text.size() > limits.max_bytes) {
    throw DocumentError(path, "grew past the limit of " + std::to_string(limits.max_bytes) + " bytes while being read");
  }
  return text;
}

// A JSON value as at most `max_chars` characters of its text, however large or deep it is.
inline std::string shortened_dump(const nlohmann::json& value, std::size_t max_chars = 60) {
  std::string out;
  const auto put = [&](std::string_view s) {
    out.append(s.substr(0, max_chars + 4 > out.size() ? max_chars + 4 - out.size() : 0));
  };
  // Iterative, depth-first: a value thousands of levels deep must not recurse.
  struct Frame {
    const nlohmann::json* v;
    std::size_t next;
  };
  std::vector<Frame> stack{{&value, 0}};
  while (!stack.empty() && out.size() <= max_chars + 3) {
    Frame& f = stack.back();
    const nlohmann::json& v = *f.v;
    if (!v.is_structured()) {
      put(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      stack.pop_back();
      continue;
    }
    if (f.next == 0) put(v.is_object() ? "{" : "[");
    if (f.next == v.size()) {
      put(v.is_object() ? "}" : "]");
      stack.pop_back();
      continue;
    }
    if (f.next > 0) put(", ");
    const std::size_t i = f.next++;
    if (v.is_object()) {
      auto it = v.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(i));
      put(nlohmann::json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      put(": ");
      stack.push_back({&it.value(), 0});
    } else {
      stack.push_back({&v[i], 0});
    }
  }
  if (out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
  return out;
}

}  // namespace iocpsim::json_diag
