// `palettemaker palette IMAGE [--k N] [--strategy S] [--params JSON] [--template-box x,y,w,h]`:
// one JSON object on stdout (colors, regions, region_colors), or one clear line on stderr and a
// non-zero exit. Needs no server and no backend, so it runs once (not in the PG+S3 matrix).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { requireBin, runCli, imagePath, HEX_COLOR } from './harness.mjs';

requireBin();

async function palette(args) {
  const r = await runCli(['palette', ...args]);
  assert.equal(r.signal, null, `${args.join(' ')} exits, does not crash`);
  return r;
}

function assertRegionsValid(out) {
  const { width, height } = out.image;
  assert.equal(out.region_colors.length, out.regions.length);
  assert.equal(out.region_labels.length, out.regions.length);
  out.region_labels.forEach((label, i) => assert.equal(label, String(i).padStart(2, '0')));
  for (const poly of out.regions) {
    assert.ok(poly.length >= 3, 'at least 3 vertices');
    for (const [x, y] of poly) {
      assert.ok(Number.isInteger(x) && Number.isInteger(y));
      assert.ok(x >= 0 && x <= width && y >= 0 && y <= height, `[${x},${y}] inside ${width}x${height}`);
    }
  }
  for (const rc of out.region_colors) {
    assert.equal(rc.centroid.length, 2);
    assert.match(rc.average, HEX_COLOR);
    assert.ok(Number.isInteger(rc.swatch) && rc.swatch >= 0 && rc.swatch < out.colors.length);
    assert.equal(rc.hex, out.colors[rc.swatch]);
  }
}

describe('palette CLI with regions', () => {
  it('without --strategy prints colors and empty regions', async () => {
    const r = await palette([imagePath('fruits.jpg')]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.colors.length >= 1 && out.colors.length <= 5);
    for (const c of out.colors) assert.match(c, HEX_COLOR);
    assert.deepEqual(out.regions, []);
    assert.deepEqual(out.region_colors, []);
    assert.equal(out.region_params, null);
  });

  it('--strategy rectangles finds the board in board.jpg, deterministically', async () => {
    const r = await palette([imagePath('board.jpg'), '--strategy', 'rectangles']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.regions.length >= 1, 'at least one rectangle');
    assertRegionsValid(out);
    assert.equal(out.region_params.strategy, 'rectangles');
    assert.equal(out.region_params.used, 'rectangles');
    assert.equal(typeof out.region_params.params.min_area, 'number');
    const again = await palette([imagePath('board.jpg'), '--strategy', 'rectangles']);
    assert.deepEqual(JSON.parse(again.stdout), out);
  });

  it('--params are applied and echoed; --template-box implies template_match', async () => {
    const capped = await palette([imagePath('coins.png'), '--strategy', 'circles', '--params', '{"max_regions": 3}']);
    assert.equal(capped.code, 0, capped.stderr);
    const out = JSON.parse(capped.stdout);
    assert.ok(out.regions.length >= 1 && out.regions.length <= 3, `${out.regions.length} regions`);
    assert.equal(out.region_params.params.max_regions, 3);
    assertRegionsValid(out);

    const [cx, cy] = out.region_colors[0].centroid;
    const xs = out.regions[0].map((p) => p[0]);
    const ys = out.regions[0].map((p) => p[1]);
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
    assert.ok(cx > box[0] && cy > box[1]);
    const tm = await palette([imagePath('coins.png'), '--template-box', box.join(',')]);
    assert.equal(tm.code, 0, tm.stderr);
    const matches = JSON.parse(tm.stdout);
    assert.equal(matches.region_params.strategy, 'template_match');
    assert.deepEqual(matches.region_params.template_box, { x: box[0], y: box[1], width: box[2], height: box[3] });
    assert.ok(matches.regions.length >= 2, `found ${matches.regions.length} similar areas`);
    assertRegionsValid(matches);
  });

  it('bad strategies, parameters and boxes exit 2 with one line naming the problem', async () => {
    const cases = [
      [['--strategy', 'nope'], /unknown region strategy 'nope'/],
      [['--strategy', 'otsu', '--params', '{"blur": 4}'], /blur/],
      [['--strategy', 'otsu', '--params', '{"nope": 1}'], /unknown parameter 'nope'/],
      [['--strategy', 'otsu', '--params', '{"blur": true}'], /blur/],
      [['--strategy', 'otsu', '--params', '[1,2]'], /params/],
      [['--strategy', 'otsu', '--params', '{oops'], /not valid JSON/],
      [['--strategy', 'template_match'], /template_box/],
      [['--strategy', 'otsu', '--template-box', '1,1,10,10'], /template_box/],
      [['--template-box', '1,2,3'], /four integers/],
      [['--template-box', 'a,b,c,d'], /four integers/],
      [['--template-box', '300,200,200,200'], /inside the image/],
    ];
    for (const [args, pattern] of cases) {
      const r = await palette([imagePath('coins.png'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: exit code (stderr: ${r.stderr})`);
      assert.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      assert.equal(lines.length, 1, `${args.join(' ')}: one line:\n${r.stderr}`);
      assert.match(lines[0], pattern, args.join(' '));
    }
  });

  it('a bad image exits non-zero with one line, even with a strategy', async () => {
    const r = await palette([imagePath('truncated.jpg'), '--strategy', 'otsu']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').filter((l) => l.trim()).length, 1, r.stderr);
  });
});
