/** A tiny Omniglot folder of generated PNGs, in the standard layout, for loader and CLI tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';

export const SIZE = 105;

/** A 105×105 white PNG with a black square over rows/cols [0, side) and one gray marker pixel. */
export function pngWithSquare(side: number, marker: number): Buffer {
  const png = new pngjs.PNG({ width: SIZE, height: SIZE });
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const v = r < side && c < side ? 0 : 255;
      const i = 4 * (r * SIZE + c);
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  const m = 4 * (SIZE * SIZE - 1 - marker); // bottom-right area, makes each file distinct
  png.data[m] = png.data[m + 1] = png.data[m + 2] = 0;
  return pngjs.PNG.sync.write(png, { colorType: 0 }); // grayscale, like the real files
}

/** ROOT with background: 2 alphabets × 2 characters × 3 images; evaluation: 1 × 3 × 3. */
export function fakeOmniglot(): string {
  const root = mkdtempSync(join(tmpdir(), 'omniglot-'));
  const layout: [string, string[], number][] = [
    ['images_background', ['Alpha', 'Beta'], 2],
    ['images_evaluation', ['Gamma'], 3],
  ];
  for (const [folder, alphabets, chars] of layout) {
    for (const a of alphabets) {
      for (let ch = 1; ch <= chars; ch++) {
        const dir = join(root, folder, a, `character${String(ch).padStart(2, '0')}`);
        mkdirSync(dir, { recursive: true });
        for (let k = 1; k <= 3; k++) writeFileSync(join(dir, `0${ch}0${k}_0${k}.png`), pngWithSquare(SIZE / 2 - 0.5, k));
      }
    }
  }
  return root;
}

