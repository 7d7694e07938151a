#pragma once
// tanh for float32 arrays, vectorised with GCC vector extensions (SSE2 on any x86-64, no
// -march needed), about 5x faster than std::tanh. A [13/6] rational approximation on [-7.905,
// 7.905] (the one Eigen uses for float), clamped outside: max abs error 4e-7 (a few ulp) against
// the exact tanh; odd, monotone and deterministic. The scalar tail uses the same operations in the
// same order, so a value's result does not depend on its position in the array.

#include <cstddef>
#include <cstring>

namespace daytrader::rl::detail {

template <typename T>
inline T tanh_rational(T x, T hi, T lo) {
  x = x < lo ? lo : x;
  x = x > hi ? hi : x;
  const T x2 = x * x;
  T p = x2 * -2.76076847742355e-16F + 2.00018790482477e-13F;
  p = p * x2 + -8.60467152213735e-11F;
  p = p * x2 + 5.12229709037114e-08F;
  p = p * x2 + 1.48572235717979e-05F;
  p = p * x2 + 6.37261928875436e-04F;
  p = p * x2 + 4.89352455891786e-03F;
  p = p * x;
  T q = x2 * 1.19825839466702e-06F + 1.18534705686654e-04F;
  q = q * x2 + 2.26843463243900e-03F;
  q = q * x2 + 4.89352518554385e-03F;
  return p / q;
}

inline constexpr float kTanhClamp = 7.90531110763549805F;

inline float tanh_scalar(float x) { return tanh_rational<float>(x, kTanhClamp, -kTanhClamp); }

inline void tanh_inplace(float* y, std::size_t n) {
  typedef float V4 __attribute__((vector_size(16)));
  const V4 hi = {kTanhClamp, kTanhClamp, kTanhClamp, kTanhClamp};
  const V4 lo = -hi;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V4 v;
    std::memcpy(&v, y + i, sizeof(v));
    v = tanh_rational<V4>(v, hi, lo);
    std::memcpy(y + i, &v, sizeof(v));
  }
  for (; i < n; ++i) y[i] = tanh_scalar(y[i]);
}

}  // namespace daytrader::rl::detail
