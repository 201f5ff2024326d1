/**
 * Be Vietnam Pro (OFL) TTFs for the PDF and the preview image. Complete TTFs are needed: the
 * @fontsource woff files are split by unicode range and render Vietnamese blank without an error.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Absolute paths of the regular and bold faces. */
export const FONT_FILES = {
  regular: require.resolve('@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf'),
};

let bytes: { regular: Uint8Array; bold: Uint8Array } | undefined;

/** The font files' bytes, read once per process. */
export function fontBytes(): { regular: Uint8Array; bold: Uint8Array } {
  bytes ??= { regular: fs.readFileSync(FONT_FILES.regular), bold: fs.readFileSync(FONT_FILES.bold) };
  return bytes;
}
