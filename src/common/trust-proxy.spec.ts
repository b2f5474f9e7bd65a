import proxyaddr from 'proxy-addr';
import { trustProxySetting } from './trust-proxy';

const ADDRESSES = ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.1.2.3', '10.200.0.1', '192.168.0.7', '2001:db8::1', 'fe80::1', 'not-an-ip'];

describe('trustProxySetting', () => {
  it.each<[string[]]>([[['loopback']], [['uniquelocal']], [['10.0.0.0/8', '127.0.0.1']], [['192.168.0.0/16', '::1']], [['10.1.2.3']]])(
    'answers %j exactly as Express would, again and again',
    (setting) => {
      const express = proxyaddr.compile(setting);
      const trust = trustProxySetting(setting) as (address: string) => boolean;

      for (const round of [1, 2, 3]) {
        expect([round, ADDRESSES.map((address) => trust(address))]).toEqual([round, ADDRESSES.map((address) => express(address, 0))]);
      }
    },
  );

  it('stays right after more distinct addresses than it remembers', () => {
    const trust = trustProxySetting(['10.0.0.0/8']) as (address: string) => boolean;
    const addresses = Array.from({ length: 3000 }, (_, index) => `${index % 2 ? 10 : 11}.0.${index >> 8}.${index & 255}`);

    expect(addresses.map((address) => trust(address))).toEqual(addresses.map((address) => address.startsWith('10.')));
    expect(trust('10.0.0.1')).toBe(true);
    expect(trust('11.0.0.1')).toBe(false);
  });

  it.each([false, true, 2])('hands %j to Express unchanged (hop counts and all-or-nothing need no parsing)', (setting) => {
    expect(trustProxySetting(setting)).toBe(setting);
  });

  it('refuses a malformed range at start-up, as Express would', () => {
    expect(() => trustProxySetting(['10.0.0.0/99'])).toThrow(/invalid range/i);
  });
});
