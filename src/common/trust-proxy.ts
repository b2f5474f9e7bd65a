import proxyaddr from 'proxy-addr';

/** Distinct peer addresses remembered before the memo starts over. */
const REMEMBERED_ADDRESSES = 1024;

/**
 * Express' `trust proxy` setting for `value`, with the same meaning as handing Express `value`
 * itself. Addresses and ranges (from `TRUST_PROXY=loopback` or `10.0.0.0/8,127.0.0.1`) are
 * compiled once, as Express does, and their verdicts remembered per address.
 *
 * Express asks this on every `req.ip`, which the rate limit reads on every request, and
 * proxy-addr parses the address with ipaddr.js each time it is asked: about 5 % of a /refresh
 * behind a balancer (README, Benchmark). Express only asks about the hops in front of the
 * client (the socket peer, then trusted proxies), so a handful of balancer addresses fill the
 * memo; it is bounded anyway.
 */
export function trustProxySetting(value: boolean | number | string[]): boolean | number | ((address: string) => boolean) {
  if (!Array.isArray(value)) return value;
  const trusts = proxyaddr.compile(value);
  const verdicts = new Map<string, boolean>();
  return (address: string) => {
    let verdict = verdicts.get(address);
    if (verdict === undefined) {
      if (verdicts.size >= REMEMBERED_ADDRESSES) verdicts.clear();
      verdict = trusts(address, 0);
      verdicts.set(address, verdict);
    }
    return verdict;
  };
}
