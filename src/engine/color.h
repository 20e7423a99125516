// Colour science: sRGB -> CIELAB (D65) and the CIEDE2000 colour difference.
#pragma once

namespace pm::engine {

struct Lab {
  double l = 0, a = 0, b = 0;
};

// 8-bit sRGB to CIELAB with the D65 white point.
Lab SrgbToLab(int r, int g, int b);

// CIEDE2000 (Sharma, Wu & Dalal 2005) with kL = kC = kH = 1.
double Ciede2000(const Lab& x, const Lab& y);

// Relative luminance on 0..255 as the original app computed it: 0.2126R + 0.7152G + 0.0722B.
inline double Luminance(int r, int g, int b) { return 0.2126 * r + 0.7152 * g + 0.0722 * b; }

}  // namespace pm::engine
