// Internal to pm_engine: SLIC superpixels (Achanta et al., "SLIC Superpixels Compared to
// State-of-the-Art Superpixel Methods", TPAMI 2012), written here from the paper rather than
// taken from opencv-contrib. cv::ximgproc::createSuperpixelSLIC was the only thing we used from
// libopencv-ximgproc, and on Debian that one library NEEDs imgcodecs, video and calib3d (and
// through them dnn, gdal, ...): it took the server binary from 66 to 175 shared libraries and
// its start-up from ~130 ms to ~400 ms. A plain SLIC is a page of code.
#pragma once

#include <opencv2/core.hpp>

namespace pm::engine::internal {

// Segments `lab` (CIELAB as floats: L 0..100, a and b about -128..127) into superpixels of
// about `region_size` x `region_size` pixels:
//   - cluster centres are seeded on a regular grid (about (w*h)/region_size^2 of them; one when
//     region_size exceeds the image) and each is moved to the lowest-gradient pixel of its 3x3
//     neighbourhood, so no seed sits on an edge;
//   - `iterations` times, every pixel within region_size (a 2S x 2S window) of a centre is
//     assigned to the nearest one by D = sqrt(dc^2 + (ds/S)^2 * ruler^2), dc the CIELAB
//     distance and ds the pixel distance, and each centre moves to the mean colour and
//     position of its pixels (a pixel no window reaches keeps its previous superpixel);
//   - connectivity is enforced: every superpixel becomes one 4-connected area, and fragments
//     smaller than a quarter of the average superpixel join the adjacent area of the nearest
//     mean colour.
// Returns labels 0..count-1 (numbered in raster order of their first pixel) covering every
// pixel and sets *label_count to count (0 for an empty image). `ruler` is SLIC's compactness
// m: higher gives squarer superpixels that follow colour edges less. Deterministic (no RNG, no
// threads); about 4 x pixels x iterations distance evaluations.
cv::Mat1i Slic(const cv::Mat3f& lab, int region_size, float ruler, int iterations, int* label_count);

}  // namespace pm::engine::internal
