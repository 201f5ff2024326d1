/** The client key of rate limits: never a header the client wrote, the proxy's last hop behind TRUST_PROXY. */
import { afterEach, describe, expect, it } from 'vitest';
import { addressKey, clientKey } from '../../src/web/request.ts';

const req = (xff?: string) => new Request('http://localhost/dang-nhap', { method: 'POST', headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });

afterEach(() => {
  delete process.env.TRUST_PROXY;
});

describe('clientKey', () => {
  it('ignores X-Forwarded-For without TRUST_PROXY, so spoofing it changes nothing', () => {
    delete process.env.TRUST_PROXY;
    const keys = new Set(['1.2.3.4', '5.6.7.8, 9.9.9.9', '', 'rác', undefined].map((h) => clientKey(req(h), '203.0.113.7')));
    expect([...keys]).toEqual(['203.0.113.7']);
  });

  it('takes the last hop (the one our proxy appended) with TRUST_PROXY=1, never the client-written first ones', () => {
    process.env.TRUST_PROXY = '1';
    expect(clientKey(req('203.0.113.9'), '10.0.0.1')).toBe('203.0.113.9');
    // The client sent "1.1.1.1, 2.2.2.2"; nginx appended the real address last.
    expect(clientKey(req('1.1.1.1, 2.2.2.2, 198.51.100.4'), '10.0.0.1')).toBe('198.51.100.4');
    expect(clientKey(req('1.1.1.1,198.51.100.4 '), '10.0.0.1')).toBe('198.51.100.4');
    // Different spoofed prefixes, same real client: same key.
    expect(clientKey(req('6.6.6.6, 198.51.100.4'), '10.0.0.1')).toBe(clientKey(req('7.7.7.7, 8.8.8.8, 198.51.100.4'), '10.0.0.1'));
    // No header: the socket address.
    expect(clientKey(req(), '10.0.0.1')).toBe('10.0.0.1');
    expect(clientKey(req(' , '), '10.0.0.1')).toBe('10.0.0.1');
  });

  it('falls back to a fixed key without any address', () => {
    expect(clientKey(req(), '')).toBe('unknown');
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and groups IPv6 per /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('[2001:db8:1:2::ffff]')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
