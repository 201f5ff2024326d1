/**
 * How long a guest's cookie lives (set once, never extended). A guest's lesson answers can be
 * claimed by signing in from that browser until then; after it they belong to nobody and the daily
 * housekeeping deletes them (src/server/housekeeping).
 */
export const GUEST_COOKIE_DAYS = 30;
