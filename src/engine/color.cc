// sRGB -> CIELAB (D65) and CIEDE2000. Formulas and variable names follow G. Sharma, W. Wu,
// E. N. Dalal, "The CIEDE2000 Color-Difference Formula: Implementation Notes, Supplementary Test
// Data, and Mathematical Observations", Color Research & Application 30(1), 2005.
#include "engine/color.h"

#include <array>
#include <cmath>
#include <numbers>

namespace pm::engine {
namespace {

constexpr double kPi = std::numbers::pi;

double Deg(double rad) { return rad * 180.0 / kPi; }
double Rad(double deg) { return deg * kPi / 180.0; }

// sRGB transfer function inverse, 0..255 -> linear 0..1 (IEC 61966-2-1).
const std::array<double, 256>& LinearTable() {
  static const std::array<double, 256> table = [] {
    std::array<double, 256> t{};
    for (int i = 0; i < 256; ++i) {
      const double c = i / 255.0;
      t[i] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    }
    return t;
  }();
  return table;
}

double LabF(double t) {
  constexpr double kEpsilon = 216.0 / 24389.0;  // (6/29)^3
  constexpr double kKappa = 24389.0 / 27.0;
  return t > kEpsilon ? std::cbrt(t) : (kKappa * t + 16.0) / 116.0;
}

int Clamp8(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

}  // namespace

Lab SrgbToLab(int r, int g, int b) {
  const auto& lin = LinearTable();
  const double rl = lin[Clamp8(r)], gl = lin[Clamp8(g)], bl = lin[Clamp8(b)];
  // Linear sRGB -> XYZ (D65), then divide by the D65 reference white.
  const double x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047;
  const double y = (0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl) / 1.00000;
  const double z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / 1.08883;
  const double fx = LabF(x), fy = LabF(y), fz = LabF(z);
  return Lab{116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)};
}

double Ciede2000(const Lab& x, const Lab& y) {
  // Step 1: C'i, h'i.
  const double c1 = std::hypot(x.a, x.b);
  const double c2 = std::hypot(y.a, y.b);
  const double c_bar = (c1 + c2) / 2.0;
  const double c_bar7 = std::pow(c_bar, 7.0);
  const double g = 0.5 * (1.0 - std::sqrt(c_bar7 / (c_bar7 + std::pow(25.0, 7.0))));
  const double a1p = (1.0 + g) * x.a;
  const double a2p = (1.0 + g) * y.a;
  const double c1p = std::hypot(a1p, x.b);
  const double c2p = std::hypot(a2p, y.b);
  auto hue = [](double b, double ap) {
    if (b == 0 && ap == 0) return 0.0;
    double h = Deg(std::atan2(b, ap));
    return h < 0 ? h + 360.0 : h;
  };
  const double h1p = hue(x.b, a1p);
  const double h2p = hue(y.b, a2p);

  // Step 2: delta L', C', H'.
  const double dlp = y.l - x.l;
  const double dcp = c2p - c1p;
  double dhp = 0;
  if (c1p * c2p != 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const double dHp = 2.0 * std::sqrt(c1p * c2p) * std::sin(Rad(dhp / 2.0));

  // Step 3: the weighting functions.
  const double lp_bar = (x.l + y.l) / 2.0;
  const double cp_bar = (c1p + c2p) / 2.0;
  double hp_bar = h1p + h2p;
  if (c1p * c2p != 0) {
    if (std::abs(h1p - h2p) <= 180) hp_bar /= 2.0;
    else if (h1p + h2p < 360) hp_bar = (h1p + h2p + 360) / 2.0;
    else hp_bar = (h1p + h2p - 360) / 2.0;
  }
  const double t = 1.0 - 0.17 * std::cos(Rad(hp_bar - 30)) + 0.24 * std::cos(Rad(2 * hp_bar)) +
                   0.32 * std::cos(Rad(3 * hp_bar + 6)) - 0.20 * std::cos(Rad(4 * hp_bar - 63));
  const double d_theta = 30.0 * std::exp(-std::pow((hp_bar - 275.0) / 25.0, 2.0));
  const double cp_bar7 = std::pow(cp_bar, 7.0);
  const double rc = 2.0 * std::sqrt(cp_bar7 / (cp_bar7 + std::pow(25.0, 7.0)));
  const double l50 = (lp_bar - 50.0) * (lp_bar - 50.0);
  const double sl = 1.0 + 0.015 * l50 / std::sqrt(20.0 + l50);
  const double sc = 1.0 + 0.045 * cp_bar;
  const double sh = 1.0 + 0.015 * cp_bar * t;
  const double rt = -std::sin(Rad(2.0 * d_theta)) * rc;

  const double tl = dlp / sl, tc = dcp / sc, th = dHp / sh;
  return std::sqrt(tl * tl + tc * tc + th * th + rt * tc * th);
}

}  // namespace pm::engine
