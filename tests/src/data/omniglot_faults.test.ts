import test from 'ava';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { UsageError } from '../../../src/core/errors.js';
import { clearOmniglotCache, decodeGrayPng, loadOmniglot, MAX_PNG_SIDE, pngHeaderSize } from '../../../src/data/omniglot.js';
import { fakeOmniglot, pngWithSquare } from '../../helpers/fake_omniglot.js';

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A valid 1-bit grayscale PNG of side × side white pixels: tiny on disk, huge decoded. */
function hugePng(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, no filter, no interlace
  const row = Buffer.alloc(1 + Math.ceil(side / 8), 0xff);
  row[0] = 0;
  const raw = Buffer.alloc(row.length * side);
  for (let r = 0; r < side; r++) row.copy(raw, r * row.length);
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

test('a small PNG that declares 20000×20000 pixels is refused from its header, before it is decoded', (t) => {
  const root = fakeOmniglot();
  try {
    const file = join(root, 'images_evaluation', 'Gamma', 'character01', 'huge.png');
    writeFileSync(file, hugePng(20000));
    t.true(statSync(file).size < 400_000, `${statSync(file).size} bytes on disk`);
    t.deepEqual(pngHeaderSize(file), { width: 20000, height: 20000 });
    const rss = process.memoryUsage().rss;
    t.throws(() => loadOmniglot(root), { instanceOf: UsageError, message: /huge\.png declares 20000×20000 pixels, over the 2048-pixel limit per side/ });
    t.true(process.memoryUsage().rss - rss < 200e6, 'nothing was decoded');
    // At the limit it still decodes, and the real 105×105 images of course.
    writeFileSync(file, hugePng(MAX_PNG_SIDE));
    t.is(decodeGrayPng(file).width, MAX_PNG_SIDE);
    writeFileSync(file, pngWithSquare(10, 1));
    t.is(pngHeaderSize(file)!.width, 105);
  } finally {
    clearOmniglotCache();
    rmSync(root, { recursive: true, force: true });
  }
});
