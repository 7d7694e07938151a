#include "rl/torch_pickle.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <zip.h>
#include <zlib.h>

namespace daytrader::rl {

// ---------------------------------------------------------------------------------------------
// Zip access (libzip).

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

core::Result<ZipPtr> open_zip_buffer(std::string_view bytes, const std::string& source) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (src == nullptr) {
    std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    return core::Error{fmt::format("{}: cannot read zip: {}", source, msg)};
  }
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
  if (z == nullptr) {
    std::string msg = zip_error_strerror(&err);
    zip_source_free(src);
    zip_error_fini(&err);
    return core::Error{fmt::format("{}: not a zip archive: {}", source, msg)};
  }
  zip_error_fini(&err);
  return ZipPtr(z);
}

std::uint32_t crc32_of(std::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::size_t at = 0;
  while (at < bytes.size()) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes.size() - at, std::size_t{1} << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), chunk);
    at += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

core::Result<std::string> read_member(zip_t* z, const std::string& member, const std::string& source) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, member.c_str(), 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
    return core::Error{fmt::format("{}: member \"{}\" not found", source, member)};
  }
  if (st.size > (std::uint64_t{1} << 32)) {
    return core::Error{fmt::format("{}: member \"{}\" is too large ({} bytes)", source, member, st.size)};
  }
  zip_file_t* f = zip_fopen(z, member.c_str(), 0);
  if (f == nullptr) {
    return core::Error{fmt::format("{}: cannot open member \"{}\": {}", source, member, zip_strerror(z))};
  }
  // Read in chunks: memory grows with the bytes that actually come out, not with the size the zip
  // directory claims (a few bytes can claim gigabytes).
  std::string out;
  std::string chunk(std::size_t{1} << 16, '\0');
  while (out.size() < st.size) {
    const auto want = static_cast<zip_uint64_t>(std::min<std::uint64_t>(chunk.size(), st.size - out.size()));
    const zip_int64_t n = zip_fread(f, chunk.data(), want);
    if (n <= 0) break;
    out.append(chunk.data(), static_cast<std::size_t>(n));
  }
  zip_fclose(f);
  if (out.size() != st.size) {
    return core::Error{fmt::format("{}: member \"{}\" is truncated or corrupt (the zip directory says {} bytes)",
                                   source, member, st.size)};
  }
  // libzip does not verify the CRC of stored (uncompressed) members, which is how torch.save writes
  // tensors: check it here so that overwritten bytes are caught.
  if ((st.valid & ZIP_STAT_CRC) == 0) {
    return core::Error{fmt::format("{}: member \"{}\" has no CRC-32 in the zip directory", source, member)};
  }
  if (const auto crc = crc32_of(out); crc != st.crc) {
    return core::Error{fmt::format("{}: member \"{}\" has CRC-32 0x{:08x}, the zip directory says 0x{:08x}: "
                                   "the file is corrupt", source, member, crc, st.crc)};
  }
  return out;
}

}  // namespace

core::Result<std::string> read_zip_member_from_file(const std::string& zip_path, const std::string& member) noexcept {
  try {
    int errorp = 0;
    zip_t* z = zip_open(zip_path.c_str(), ZIP_RDONLY, &errorp);
    if (z == nullptr) {
      zip_error_t err;
      zip_error_init_with_code(&err, errorp);
      std::string msg = zip_error_strerror(&err);
      zip_error_fini(&err);
      return core::Error{fmt::format("{}: cannot open zip: {}", zip_path, msg)};
    }
    ZipPtr holder(z);
    return read_member(z, member, zip_path);
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", zip_path, e.what())};
  }
}

core::Result<std::vector<std::string>> list_zip_members(std::string_view zip_bytes, const std::string& source) noexcept {
  try {
    auto z = open_zip_buffer(zip_bytes, source);
    if (!z) return z.error();
    std::vector<std::string> names;
    const zip_int64_t n = zip_get_num_entries(z->get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(z->get(), static_cast<zip_uint64_t>(i), 0);
      if (name != nullptr) names.emplace_back(name);
    }
    return names;
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", source, e.what())};
  }
}

core::Result<std::string> read_zip_member(std::string_view zip_bytes, const std::string& member,
                                          const std::string& source) noexcept {
  try {
    auto z = open_zip_buffer(zip_bytes, source);
    if (!z) return z.error();
    return read_member(z->get(), member, source);
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", source, e.what())};
  }
}

// ---------------------------------------------------------------------------------------------
// A minimal unpickler for state dicts.

namespace {

struct PyObj;
using PyRef = std::shared_ptr<PyObj>;

struct PyObj {
  enum class Kind { kNone, kBool, kInt, kFloat, kStr, kBytes, kTuple, kList, kDict, kGlobal, kStorage, kTensor };
  Kind kind = Kind::kNone;
  std::int64_t i = 0;   // int / bool; storage numel; tensor offset
  double f = 0;         // float
  std::string s;        // str / bytes; global "module.name"; storage dtype class
  std::string key;      // storage key
  std::vector<PyRef> items;                         // tuple / list; tensor: [storage]
  std::vector<std::pair<PyRef, PyRef>> dict_items;  // dict, insertion order
  std::vector<std::int64_t> sizes, strides;         // tensor
  std::size_t depth = 0;                            // nesting depth of containers below this one

  PyObj() = default;
  PyObj(const PyObj&) = delete;
  PyObj& operator=(const PyObj&) = delete;
  // Frees nested containers iteratively: a deeply nested pickle must not overflow the C++ stack.
  ~PyObj() {
    std::vector<PyRef> pending;
    auto take = [&pending](PyObj& o) {
      for (auto& x : o.items) pending.push_back(std::move(x));
      for (auto& [k, v] : o.dict_items) {
        pending.push_back(std::move(k));
        pending.push_back(std::move(v));
      }
      o.items.clear();
      o.dict_items.clear();
    };
    take(*this);
    while (!pending.empty()) {
      PyRef p = std::move(pending.back());
      pending.pop_back();
      if (p && p.use_count() == 1) take(*p);
    }
  }
};

// Deeper nesting than any state dict has (a few levels) is refused before it can exhaust memory
// or the stack.
constexpr std::size_t kMaxPickleDepth = 64;

PyRef make(PyObj::Kind k) {
  auto p = std::make_shared<PyObj>();
  p->kind = k;
  return p;
}

class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Unpickler {
 public:
  explicit Unpickler(std::string_view bytes) : b_(bytes) {}
  Unpickler(const Unpickler&) = delete;
  Unpickler& operator=(const Unpickler&) = delete;
  // A list or dict can be made to hold itself (memo + APPEND/SETITEM), a cycle of shared_ptrs
  // that would never be freed: empty every container made here, so everything it produced dies
  // with it. Keep the unpickler alive while its result is read.
  ~Unpickler() {
    for (const auto& weak : containers_) {
      if (const PyRef c = weak.lock()) {
        c->items.clear();
        c->dict_items.clear();
      }
    }
  }

  PyRef run() {
    for (;;) {
      const auto op = static_cast<std::uint8_t>(byte());
      switch (op) {
        case 0x80: (void)byte(); break;                 // PROTO
        case 0x95: (void)read_raw(8); break;            // FRAME
        case '.': return pop();                         // STOP
        case 'N': push(make(PyObj::Kind::kNone)); break;
        case 0x88: push_bool(true); break;              // NEWTRUE
        case 0x89: push_bool(false); break;             // NEWFALSE
        case 'J': push_int(static_cast<std::int32_t>(le_uint(4))); break;  // BININT
        case 'K': push_int(static_cast<std::int64_t>(le_uint(1))); break;  // BININT1
        case 'M': push_int(static_cast<std::int64_t>(le_uint(2))); break;  // BININT2
        case 0x8a: {                                    // LONG1
          const std::size_t n = static_cast<std::uint8_t>(byte());
          if (n > 8) throw ParseError(fmt::format("LONG1 of {} bytes is too large", n));
          std::uint64_t v = n == 0 ? 0 : le_uint(n);
          if (n > 0 && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~std::uint64_t{0} << (8 * n);  // sign-extend
          push_int(static_cast<std::int64_t>(v));
          break;
        }
        case 'G': {                                     // BINFLOAT, big-endian
          std::uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | static_cast<std::uint8_t>(byte());
          auto p = make(PyObj::Kind::kFloat);
          p->f = std::bit_cast<double>(bits);
          push(p);
          break;
        }
        case 'X': push_str(PyObj::Kind::kStr, le_uint(4)); break;     // BINUNICODE
        case 0x8c: push_str(PyObj::Kind::kStr, le_uint(1)); break;    // SHORT_BINUNICODE
        case 0x8d: push_str(PyObj::Kind::kStr, le_uint(8)); break;    // BINUNICODE8
        case 'T': push_str(PyObj::Kind::kBytes, le_uint(4)); break;   // BINSTRING
        case 'U': push_str(PyObj::Kind::kBytes, le_uint(1)); break;   // SHORT_BINSTRING
        case 'B': push_str(PyObj::Kind::kBytes, le_uint(4)); break;   // BINBYTES
        case 'C': push_str(PyObj::Kind::kBytes, le_uint(1)); break;   // SHORT_BINBYTES
        case ')': push(make(PyObj::Kind::kTuple)); break;             // EMPTY_TUPLE
        case ']': push(container(PyObj::Kind::kList)); break;         // EMPTY_LIST
        case '}': push(container(PyObj::Kind::kDict)); break;         // EMPTY_DICT
        case '(': marks_.push_back(stack_.size()); break;             // MARK
        case 't': {                                                   // TUPLE
          auto t = make(PyObj::Kind::kTuple);
          t->items = pop_to_mark();
          for (const auto& x : t->items) nest(*t, x);
          push(t);
          break;
        }
        case 0x85: case 0x86: case 0x87: {                            // TUPLE1..3
          const std::size_t n = op - 0x84u;
          if (stack_.size() < n) throw ParseError("stack underflow in TUPLEn");
          auto t = make(PyObj::Kind::kTuple);
          t->items.assign(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
          stack_.resize(stack_.size() - n);
          for (const auto& x : t->items) nest(*t, x);
          push(t);
          break;
        }
        case 'a': {                                                   // APPEND
          auto v = pop();
          auto l = list_top();
          nest(*l, v);
          l->items.push_back(v);
          break;
        }
        case 'e': {                                                   // APPENDS
          auto vs = pop_to_mark();
          auto l = list_top();
          for (const auto& x : vs) nest(*l, x);
          l->items.insert(l->items.end(), vs.begin(), vs.end());
          break;
        }
        case 's': {                                                   // SETITEM
          auto v = pop();
          auto k = pop();
          auto d = dict_top();
          nest(*d, k);
          nest(*d, v);
          d->dict_items.emplace_back(k, v);
          break;
        }
        case 'u': {                                                   // SETITEMS
          auto vs = pop_to_mark();
          if (vs.size() % 2 != 0) throw ParseError("SETITEMS with an odd number of items");
          auto d = dict_top();
          for (const auto& x : vs) nest(*d, x);
          for (std::size_t k = 0; k < vs.size(); k += 2) d->dict_items.emplace_back(vs[k], vs[k + 1]);
          break;
        }
        case 'q': memo_[le_uint(1)] = top(); break;                   // BINPUT
        case 'r': memo_[le_uint(4)] = top(); break;                   // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;                // MEMOIZE
        case 'h': push(memo_get(le_uint(1))); break;                  // BINGET
        case 'j': push(memo_get(le_uint(4))); break;                  // LONG_BINGET
        case 'c': {                                                   // GLOBAL
          auto g = make(PyObj::Kind::kGlobal);
          const std::string module = line();
          g->s = module + "." + line();
          push(g);
          break;
        }
        case 0x93: {                                                  // STACK_GLOBAL
          auto name = pop();
          auto module = pop();
          if (name->kind != PyObj::Kind::kStr || module->kind != PyObj::Kind::kStr) {
            throw ParseError("STACK_GLOBAL needs two strings");
          }
          auto g = make(PyObj::Kind::kGlobal);
          g->s = module->s + "." + name->s;
          push(g);
          break;
        }
        case 'R': case 0x81: {                                        // REDUCE, NEWOBJ
          auto args = pop();
          auto callable = pop();
          push(apply(callable, args));
          break;
        }
        case 'b': (void)pop(); (void)top(); break;                    // BUILD: state ignored (OrderedDict._metadata)
        case 'Q': push(persistent(pop())); break;                     // BINPERSID
        case '0': (void)pop(); break;                                 // POP
        case '1': (void)pop_to_mark(); break;                         // POP_MARK
        case '2': push(top()); break;                                 // DUP
        default:
          throw ParseError(fmt::format("unsupported pickle opcode 0x{:02x} at byte {}", op, pos_ - 1));
      }
    }
  }

 private:
  char byte() {
    if (pos_ >= b_.size()) throw ParseError("unexpected end of pickle");
    return b_[pos_++];
  }
  std::string_view read_raw(std::uint64_t n) {
    if (n > b_.size() - pos_) throw ParseError("unexpected end of pickle");
    auto v = b_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  std::uint64_t le_uint(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) v |= std::uint64_t{static_cast<std::uint8_t>(byte())} << (8 * k);
    return v;
  }
  std::string line() {
    const auto end = b_.find('\n', pos_);
    if (end == std::string_view::npos) throw ParseError("unterminated GLOBAL name");
    std::string s(b_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  void push(PyRef p) { stack_.push_back(std::move(p)); }
  void push_bool(bool v) {
    auto p = make(PyObj::Kind::kBool);
    p->i = v ? 1 : 0;
    push(p);
  }
  void push_int(std::int64_t v) {
    auto p = make(PyObj::Kind::kInt);
    p->i = v;
    push(p);
  }
  void push_str(PyObj::Kind k, std::uint64_t n) {
    auto p = make(k);
    p->s = std::string(read_raw(n));
    push(p);
  }
  PyRef pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) throw ParseError("stack underflow");
    auto p = std::move(stack_.back());
    stack_.pop_back();
    return p;
  }
  PyRef top() {
    if (stack_.empty()) throw ParseError("stack underflow");
    return stack_.back();
  }
  std::vector<PyRef> pop_to_mark() {
    if (marks_.empty()) throw ParseError("no MARK on the stack");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    if (m > stack_.size()) throw ParseError("corrupt MARK");
    std::vector<PyRef> out(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return out;
  }
  // Records that `child` now sits inside `container`, refusing nesting deeper than kMaxPickleDepth.
  void nest(PyObj& container, const PyRef& child) const {
    if (child && child->depth + 1 > container.depth) container.depth = child->depth + 1;
    if (container.depth > kMaxPickleDepth) {
      throw ParseError(fmt::format("containers nested more than {} deep at byte {} (not a state dict)",
                                   kMaxPickleDepth, pos_));
    }
  }
  // A list or dict, which APPEND and SETITEM can fill after it is referenced: remembered for ~Unpickler.
  PyRef container(PyObj::Kind k) {
    auto p = make(k);
    containers_.push_back(p);
    return p;
  }
  PyRef list_top() {
    auto t = top();
    if (t->kind != PyObj::Kind::kList) throw ParseError("APPEND to a non-list");
    return t;
  }
  PyRef dict_top() {
    auto t = top();
    if (t->kind != PyObj::Kind::kDict) throw ParseError("SETITEM on a non-dict");
    return t;
  }
  PyRef memo_get(std::uint64_t k) {
    const auto it = memo_.find(k);
    if (it == memo_.end()) throw ParseError(fmt::format("memo key {} not defined", k));
    return it->second;
  }

  static std::int64_t as_int(const PyRef& p, const char* what) {
    if (p->kind != PyObj::Kind::kInt) throw ParseError(fmt::format("{} is not an integer", what));
    return p->i;
  }
  static std::vector<std::int64_t> int_tuple(const PyRef& p, const char* what) {
    if (p->kind != PyObj::Kind::kTuple && p->kind != PyObj::Kind::kList) {
      throw ParseError(fmt::format("{} is not a tuple", what));
    }
    std::vector<std::int64_t> v;
    for (const auto& x : p->items) v.push_back(as_int(x, what));
    return v;
  }

  PyRef apply(const PyRef& callable, const PyRef& args) {
    if (callable->kind != PyObj::Kind::kGlobal) throw ParseError("REDUCE on a non-global callable");
    if (args->kind != PyObj::Kind::kTuple) throw ParseError("REDUCE arguments are not a tuple");
    const std::string& name = callable->s;
    const auto& a = args->items;
    if (name == "collections.OrderedDict" || name == "builtins.dict") {
      if (!a.empty()) throw ParseError(fmt::format("{} with arguments is not supported", name));
      return container(PyObj::Kind::kDict);
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->kind != PyObj::Kind::kStorage) {
        throw ParseError(fmt::format("{}: expected (storage, offset, size, stride, ...)", name));
      }
      auto t = make(PyObj::Kind::kTensor);
      t->items = {a[0]};
      t->i = as_int(a[1], "storage offset");
      t->sizes = int_tuple(a[2], "tensor size");
      t->strides = int_tuple(a[3], "tensor stride");
      if (t->sizes.size() != t->strides.size()) throw ParseError("tensor size and stride ranks differ");
      return t;
    }
    if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != PyObj::Kind::kTensor) throw ParseError(fmt::format("{}: expected a tensor", name));
      return a[0];
    }
    throw ParseError(fmt::format("unsupported global {} (expected a plain state dict of tensors)", name));
  }

  static PyRef persistent(const PyRef& pid) {
    if (pid->kind != PyObj::Kind::kTuple || pid->items.size() < 5 || pid->items[0]->kind != PyObj::Kind::kStr ||
        pid->items[0]->s != "storage") {
      throw ParseError("persistent id is not ('storage', type, key, location, numel)");
    }
    const auto& it = pid->items;
    if (it[1]->kind != PyObj::Kind::kGlobal || it[2]->kind != PyObj::Kind::kStr) {
      throw ParseError("persistent id has no storage type or key");
    }
    auto s = make(PyObj::Kind::kStorage);
    s->s = it[1]->s;
    s->key = it[2]->s;
    s->i = as_int(it[4], "storage numel");
    return s;
  }

  std::string_view b_;
  std::size_t pos_ = 0;
  std::vector<PyRef> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint64_t, PyRef> memo_;
  std::vector<std::weak_ptr<PyObj>> containers_;
};

}  // namespace

core::Result<std::vector<NamedTensor>> read_torch_state_dict(std::string_view pth, const std::string& source) noexcept {
  try {
    auto z = open_zip_buffer(pth, source);
    if (!z) return z.error();
    // Find <prefix>/data.pkl; the prefix is "archive" when saved to a stream, else the file stem.
    std::string prefix;
    const zip_int64_t n = zip_get_num_entries(z->get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(z->get(), static_cast<zip_uint64_t>(i), 0);
      if (name == nullptr) continue;
      const std::string_view nm(name);
      const auto slash = nm.find('/');
      if (slash != std::string_view::npos && nm.substr(slash + 1) == "data.pkl") {
        prefix = std::string(nm.substr(0, slash));
        break;
      }
    }
    if (prefix.empty()) {
      return core::Error{fmt::format("{}: no <archive>/data.pkl inside (not a torch.save zip file; files from "
                                     "PyTorch < 1.6 or _use_new_zipfile_serialization=False are not supported)",
                                     source)};
    }
    if (auto bo = read_member(z->get(), prefix + "/byteorder", source); bo && *bo != "little") {
      return core::Error{fmt::format("{}: byteorder is \"{}\", only \"little\" is supported", source, *bo)};
    }
    auto pkl = read_member(z->get(), prefix + "/data.pkl", source);
    if (!pkl) return pkl.error();
    std::optional<Unpickler> unpickler;  // outlives `root` (declared after it), see ~Unpickler
    PyRef root;
    try {
      root = unpickler.emplace(*pkl).run();
    } catch (const ParseError& e) {
      return core::Error{fmt::format("{}: {}/data.pkl: {}", source, prefix, e.what())};
    }
    if (root->kind != PyObj::Kind::kDict) {
      return core::Error{fmt::format("{}: data.pkl does not hold a dict (a state dict was expected)", source)};
    }
    std::map<std::string, std::string> storages;  // key -> bytes
    std::vector<NamedTensor> out;
    for (const auto& [k, v] : root->dict_items) {
      if (k->kind != PyObj::Kind::kStr) return core::Error{fmt::format("{}: state dict key is not a string", source)};
      if (v->kind != PyObj::Kind::kTensor) {
        return core::Error{fmt::format("{}: state dict entry {} is not a tensor", source, k->s)};
      }
      const PyObj& st = *v->items[0];
      std::size_t elem = 0;
      if (st.s == "torch.FloatStorage") elem = 4;
      else if (st.s == "torch.DoubleStorage") elem = 8;
      else return core::Error{fmt::format("{}: tensor {} has storage type {}, expected torch.FloatStorage or "
                                          "torch.DoubleStorage", source, k->s, st.s)};
      auto sit = storages.find(st.key);
      if (sit == storages.end()) {
        auto bytes = read_member(z->get(), prefix + "/data/" + st.key, source);
        if (!bytes) return bytes.error();
        sit = storages.emplace(st.key, std::move(*bytes)).first;
      }
      const std::string& raw = sit->second;
      const std::int64_t numel_storage = static_cast<std::int64_t>(raw.size() / elem);
      if (st.i > numel_storage) {
        return core::Error{fmt::format("{}: storage {} holds {} elements, pickle says {}", source, st.key,
                                       numel_storage, st.i)};
      }
      NamedTensor t;
      t.name = k->s;
      t.shape = v->sizes;
      std::int64_t numel = 1;
      std::int64_t max_index = v->i;
      // Sizes and strides come from the file: no product may wrap.
      bool numel_overflow = false, reach_overflow = false;
      for (std::size_t d = 0; d < v->sizes.size(); ++d) {
        if (v->sizes[d] < 0 || v->strides[d] < 0) {
          return core::Error{fmt::format("{}: tensor {} has a negative size or stride", source, k->s)};
        }
        numel_overflow |= __builtin_mul_overflow(numel, v->sizes[d], &numel);
        std::int64_t reach = 0;
        if (v->sizes[d] > 0) {
          reach_overflow |= __builtin_mul_overflow(v->sizes[d] - 1, v->strides[d], &reach);
          reach_overflow |= __builtin_add_overflow(max_index, reach, &max_index);
        }
      }
      // More elements than the storage holds means zero or overlapping strides (an expanded
      // tensor, never a parameter): refused, so that a few bytes cannot ask for gigabytes.
      if (numel_overflow || numel > numel_storage) {
        return core::Error{fmt::format("{}: tensor {} has shape [{}] with strides [{}], more elements than the {} "
                                       "of storage {} (zero or overlapping strides are not supported)",
                                       source, k->s, fmt::join(v->sizes, ", "), fmt::join(v->strides, ", "),
                                       numel_storage, st.key)};
      }
      if (v->i < 0 || (numel > 0 && (reach_overflow || max_index >= numel_storage)) ||
          numel > (std::int64_t{1} << 31)) {
        return core::Error{fmt::format("{}: tensor {} reaches past the end of storage {}", source, k->s, st.key)};
      }
      t.data.resize(static_cast<std::size_t>(numel));
      std::vector<std::int64_t> idx(v->sizes.size(), 0);
      for (std::int64_t flat = 0; flat < numel; ++flat) {
        std::int64_t off = v->i;
        for (std::size_t d = 0; d < idx.size(); ++d) off += idx[d] * v->strides[d];
        if (elem == 4) {
          std::memcpy(&t.data[static_cast<std::size_t>(flat)], raw.data() + off * 4, 4);
        } else {
          double x = 0;
          std::memcpy(&x, raw.data() + off * 8, 8);
          t.data[static_cast<std::size_t>(flat)] = static_cast<float>(x);
        }
        for (std::size_t d = idx.size(); d-- > 0;) {
          if (++idx[d] < v->sizes[d]) break;
          idx[d] = 0;
        }
      }
      for (std::size_t e = 0; e < t.data.size(); ++e) {
        if (!std::isfinite(t.data[e])) {
          return core::Error{fmt::format("{}: tensor {} element {} is {}, expected a finite number", source, t.name,
                                         e, t.data[e])};
        }
      }
      out.push_back(std::move(t));
    }
    return out;
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", source, e.what())};
  }
}

}  // namespace daytrader::rl
