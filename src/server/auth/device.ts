/**
 * A short, human summary of the device behind a session ("Chrome trên Android"), for the session
 * list. Only this summary is stored: the raw user agent is a fingerprint and tells the person nothing.
 */
import Bowser from 'bowser';

/** Longest summary kept. */
const MAX = 60;

/** Browsers common in Vietnam that bowser reports as plain Chrome. */
const LOCAL_BROWSERS: [RegExp, string][] = [
  [/\bcoc_coc_browser\//i, 'Cốc Cốc'],
  [/\bZalo\b/, 'Zalo'],
  [/\bFBAN|FBAV\//, 'Facebook'],
];

const BROWSER_NAMES: Record<string, string> = {
  'Samsung Internet for Android': 'Samsung Internet',
  'Microsoft Edge': 'Edge',
};

const OS_NAMES: Record<string, string> = {
  macOS: 'máy Mac',
  iOS: 'iPhone/iPad',
  Windows: 'Windows',
  Android: 'Android',
  Linux: 'Linux',
  'Chrome OS': 'Chromebook',
};

/** "Trình duyệt trên hệ điều hành" from a User-Agent header; undefined when nothing is recognised. */
export function describeDevice(userAgent: string | null | undefined): string | undefined {
  const ua = (userAgent ?? '').slice(0, 1000);
  if (!ua.trim()) return undefined;
  const parser = Bowser.getParser(ua);
  const local = LOCAL_BROWSERS.find(([re]) => re.test(ua))?.[1];
  const raw = parser.getBrowserName();
  const browser = local ?? BROWSER_NAMES[raw] ?? raw;
  const osRaw = parser.getOSName();
  const os = osRaw === 'iOS' && /ipad/i.test(ua) ? 'iPad' : osRaw === 'iOS' && /iphone/i.test(ua) ? 'iPhone' : (OS_NAMES[osRaw] ?? osRaw);
  const text = browser && os ? `${browser} trên ${os}` : browser || (os ? `Trình duyệt trên ${os}` : '');
  // Only letters, digits, spaces and a few signs survive: a crafted header cannot put markup or
  // control characters into the list.
  const clean = text.replace(/[^\p{L}\p{N} ./()+-]/gu, '').slice(0, MAX).trim();
  return clean || undefined;
}
