import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be POSTed. A target is refused when its host is, or resolves to, an
 * address that is not on the public internet: loopback, private (RFC 1918), link-local (with the
 * cloud metadata address 169.254.169.254), CGNAT, unique-local, unspecified, multicast,
 * documentation and other reserved ranges, and IPv6 forms that embed an IPv4 address
 * (IPv4-mapped, 6to4, NAT64, Teredo). Decimal, hexadecimal and octal IPv4 hosts
 * (`http://2130706433/`) are normalised by the URL parser before the check. Deployments that
 * need internal targets list them in WEBHOOK_ALLOWED_HOSTS (host names, addresses, CIDRs).
 */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments (192.0.0.192: a metadata address)
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  // IPv4-mapped addresses (::ffff:0:0/96) are judged by the IPv4 address they carry, below: a
  // BlockList rule for them would also match every IPv4 address.
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique-local (fd00:ec2::254: a metadata address)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local
  ['ff00::', 8], // multicast
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv6');

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: HostLookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or `::ffff:7f00:1`) stands for. */
export function mappedIPv4(address: string): string | null {
  const m = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/i.exec(address);
  if (!m) return null;
  if (isIP(m[1]) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]);
  if (!hex) return null;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family === 6) {
    const v4 = mappedIPv4(address);
    return INTERNAL.check(address, 'ipv6') || (v4 !== null && INTERNAL.check(v4, 'ipv4'));
  }
  return true; // not an address at all
}

/** A refusal with a sentence a person can act on (the resolved internal address is not named). */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

/** The host of a URL as the URL parser normalised it, IPv6 without brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

export class WebhookTargetPolicy {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses = new BlockList();

  /** `allowed`: WEBHOOK_ALLOWED_HOSTS (host names, addresses and CIDR networks, lower-cased). */
  constructor(
    allowed: readonly string[],
    private readonly lookup: HostLookup = systemLookup,
  ) {
    for (const entry of allowed) {
      const [address, bits] = entry.split('/');
      const family = isIP(address);
      if (!family) this.allowedNames.add(entry.replace(/\.$/, ''));
      else if (bits !== undefined)
        this.allowedAddresses.addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else this.allowedAddresses.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  private allowedAddress(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    if (this.allowedAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true;
    const v4 = family === 6 ? mappedIPv4(address) : null;
    return v4 !== null && this.allowedAddresses.check(v4, 'ipv4');
  }

  /**
   * Resolves the URL's host and returns the one address the request must connect to, or throws
   * {@link WebhookTargetRefused}. Every address the name resolves to must be acceptable, so that
   * a name mixing public and internal addresses is refused whichever one a connection would pick.
   */
  async resolve(rawUrl: string): Promise<ResolvedAddress> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new WebhookTargetRefused('url is not a valid URL.');
    }
    const host = urlHost(url).replace(/\.$/, '');
    const nameAllowed = this.allowedNames.has(host);
    const literal = isIP(host);
    let addresses: ResolvedAddress[];
    if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    else {
      try {
        addresses = await this.lookup(host);
      } catch {
        throw new WebhookTargetRefused(`The host ${host} of the webhook URL does not resolve.`);
      }
      if (!addresses.length) throw new WebhookTargetRefused(`The host ${host} of the webhook URL does not resolve.`);
    }
    for (const a of addresses) {
      if (nameAllowed || this.allowedAddress(a.address) || !isInternalAddress(a.address)) continue;
      throw new WebhookTargetRefused(
        literal
          ? `Webhooks cannot be sent to ${host}: it is a loopback, private, link-local or otherwise internal address (an operator can allow it with WEBHOOK_ALLOWED_HOSTS).`
          : `Webhooks cannot be sent to ${host}: it resolves to a loopback, private, link-local or otherwise internal address (an operator can allow it with WEBHOOK_ALLOWED_HOSTS).`,
      );
    }
    return addresses[0];
  }
}
