/** Reads PDFs with poppler-utils the way a person or a phone would: text, page size, and the QR code. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';

function withFile<T>(pdf: Uint8Array, fn: (file: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-pdf-'));
  try {
    const file = path.join(dir, 'c.pdf');
    fs.writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** pdftotext's output, NFC-normalised, as trimmed non-empty lines. */
export function pdfLines(pdf: Uint8Array): string[] {
  return withFile(pdf, (file) =>
    execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
      .normalize('NFC')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** pdfinfo's fields (Pages, Page size, …). */
export function pdfInfo(pdf: Uint8Array): Record<string, string> {
  return withFile(pdf, (file) =>
    Object.fromEntries(
      execFileSync('pdfinfo', [file], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    ),
  );
}

/** Rasterises page 1 in grey (PGM) and decodes the QR code on it, or returns null. */
export function pdfQrText(pdf: Uint8Array): string | null {
  return withFile(pdf, (file, dir) => {
    execFileSync('pdftoppm', ['-r', '110', '-gray', '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, 'p')]);
    const pgm = fs.readFileSync(path.join(dir, 'p.pgm'));
    // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'))!;
    const [w, h] = [Number(header[1]), Number(header[2])];
    const pixels = pgm.subarray(header[0].length);
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = pixels[i]!;
      rgba[i * 4 + 3] = 255;
    }
    return jsQR(rgba, w, h)?.data ?? null;
  });
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png);
  if (b.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
