// A readable name for any colour: the nearest of the CSS named colours (CSS Color 4, the X11
// set) by CIEDE2000 in Lab. Names are written for people ("Dark slate grey"); where CSS has
// two names for one colour (aqua/cyan, fuchsia/magenta, gray/grey) one is kept.
import { deltaE2000, hexToLab, type Lab } from './palette/lab';

const NAMED = `
Alice blue f0f8ff|Antique white faebd7|Cyan 00ffff|Aquamarine 7fffd4|Azure f0ffff|Beige f5f5dc
Bisque ffe4c4|Black 000000|Blanched almond ffebcd|Blue 0000ff|Blue violet 8a2be2|Brown a52a2a
Burlywood deb887|Cadet blue 5f9ea0|Chartreuse 7fff00|Chocolate d2691e|Coral ff7f50
Cornflower blue 6495ed|Cornsilk fff8dc|Crimson dc143c|Dark blue 00008b|Dark cyan 008b8b
Dark goldenrod b8860b|Dark grey a9a9a9|Dark green 006400|Dark khaki bdb76b|Dark magenta 8b008b
Dark olive green 556b2f|Dark orange ff8c00|Dark orchid 9932cc|Dark red 8b0000|Dark salmon e9967a
Dark sea green 8fbc8f|Dark slate blue 483d8b|Dark slate grey 2f4f4f|Dark turquoise 00ced1
Dark violet 9400d3|Deep pink ff1493|Deep sky blue 00bfff|Dim grey 696969|Dodger blue 1e90ff
Firebrick b22222|Floral white fffaf0|Forest green 228b22|Gainsboro dcdcdc|Ghost white f8f8ff
Gold ffd700|Goldenrod daa520|Grey 808080|Green 008000|Green yellow adff2f|Honeydew f0fff0
Hot pink ff69b4|Indian red cd5c5c|Indigo 4b0082|Ivory fffff0|Khaki f0e68c|Lavender e6e6fa
Lavender blush fff0f5|Lawn green 7cfc00|Lemon chiffon fffacd|Light blue add8e6|Light coral f08080
Light cyan e0ffff|Light goldenrod yellow fafad2|Light grey d3d3d3|Light green 90ee90
Light pink ffb6c1|Light salmon ffa07a|Light sea green 20b2aa|Light sky blue 87cefa
Light slate grey 778899|Light steel blue b0c4de|Light yellow ffffe0|Lime 00ff00|Lime green 32cd32
Linen faf0e6|Magenta ff00ff|Maroon 800000|Medium aquamarine 66cdaa|Medium blue 0000cd
Medium orchid ba55d3|Medium purple 9370db|Medium sea green 3cb371|Medium slate blue 7b68ee
Medium spring green 00fa9a|Medium turquoise 48d1cc|Medium violet red c71585|Midnight blue 191970
Mint cream f5fffa|Misty rose ffe4e1|Moccasin ffe4b5|Navajo white ffdead|Navy 000080
Old lace fdf5e6|Olive 808000|Olive drab 6b8e23|Orange ffa500|Orange red ff4500|Orchid da70d6
Pale goldenrod eee8aa|Pale green 98fb98|Pale turquoise afeeee|Pale violet red db7093
Papaya whip ffefd5|Peach puff ffdab9|Peru cd853f|Pink ffc0cb|Plum dda0dd|Powder blue b0e0e6
Purple 800080|Rebecca purple 663399|Red ff0000|Rosy brown bc8f8f|Royal blue 4169e1
Saddle brown 8b4513|Salmon fa8072|Sandy brown f4a460|Sea green 2e8b57|Seashell fff5ee|Sienna a0522d
Silver c0c0c0|Sky blue 87ceeb|Slate blue 6a5acd|Slate grey 708090|Snow fffafa|Spring green 00ff7f
Steel blue 4682b4|Tan d2b48c|Teal 008080|Thistle d8bfd8|Tomato ff6347|Turquoise 40e0d0|Violet ee82ee
Wheat f5deb3|White ffffff|White smoke f5f5f5|Yellow ffff00|Yellow green 9acd32`;

interface Named {
  name: string;
  hex: string;
  lab: Lab;
}

let table: Named[] | null = null;

/** The named colours, parsed once on first use. */
export function namedColors(): readonly Named[] {
  if (!table) {
    table = NAMED.split(/[|\n]/)
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const cut = entry.lastIndexOf(' ');
        const hex = '#' + entry.slice(cut + 1);
        return { name: entry.slice(0, cut), hex, lab: hexToLab(hex)! };
      });
  }
  return table;
}

export interface ColorName {
  name: string;
  /** The named colour's own hex. */
  hex: string;
  /** CIEDE2000 distance to it: 0 for an exact hit, under ~2 hard to tell apart. */
  deltaE: number;
}

/** The nearest named colour, or null when `hex` is not a colour. */
export function colorName(hex: string): ColorName | null {
  const lab = hexToLab(hex);
  if (!lab) return null;
  let best: ColorName | null = null;
  for (const c of namedColors()) {
    const deltaE = deltaE2000(lab, c.lab);
    if (!best || deltaE < best.deltaE) best = { name: c.name, hex: c.hex, deltaE };
  }
  return best;
}
