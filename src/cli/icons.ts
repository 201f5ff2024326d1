/**
 * Draws the app icons of the web app manifest (public/icons/*.png) from one SVG design, with the
 * Be Vietnam Pro TTF (no system fonts). Run once when the design changes: `node src/cli/icons.ts`;
 * the PNGs are committed, so builds do not depend on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);
const bold = require.resolve('@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf');
const out = path.resolve('public/icons');

/** `maskable`: the letters stay inside the central 80% circle launchers keep; the square is full-bleed. */
function svg(maskable: boolean): string {
  const rx = maskable ? 0 : 96;
  const size = maskable ? 150 : 210;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <rect width="512" height="512" rx="${rx}" fill="#0b5c8c"/>
  <text x="256" y="${256 + size * 0.36}" font-family="Be Vietnam Pro" font-weight="700" font-size="${size}" fill="#ffffff" text-anchor="middle">HS</text>
</svg>`;
}

fs.mkdirSync(out, { recursive: true });
for (const [name, maskable, width] of [
  ['icon-192.png', false, 192],
  ['icon-512.png', false, 512],
  ['maskable-192.png', true, 192],
  ['maskable-512.png', true, 512],
] as const) {
  const png = new Resvg(svg(maskable), { fitTo: { mode: 'width', value: width }, font: { fontFiles: [bold], loadSystemFonts: false, defaultFontFamily: 'Be Vietnam Pro' } })
    .render()
    .asPng();
  fs.writeFileSync(path.join(out, name), png);
  console.log(`${name}: ${png.length} bytes`);
}
