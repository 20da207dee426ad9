/**
 * Where webhooks may go: every form of an internal address is refused, a name is judged by every
 * address it resolves to, and WEBHOOK_ALLOWED_HOSTS lets named hosts and networks through.
 */
import { isInternalAddress, WebhookTargetPolicy, type HostLookup } from '../../src/deadlines/webhook-targets';
import { openWebhookSecret, sealWebhookSecret } from '../../src/deadlines/webhook-secrets';
import { INTERNAL_URLS } from '../support/internal-urls';

/** A hosts file: name -> addresses. */
const hosts =
  (table: Record<string, string[]>): HostLookup =>
  (name) => {
    const found = table[name];
    if (!found) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${name}`));
    return Promise.resolve(found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

describe('webhook targets', () => {
  const policy = new WebhookTargetPolicy(
    [],
    hosts({
      'hooks.example.org': ['93.184.215.14'],
      'v6.example.org': ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      'inside.example.org': ['10.1.2.3'],
      'mixed.example.org': ['93.184.215.14', '192.168.0.10'],
      'metadata.example.org': ['169.254.169.254'],
      'mapped.example.org': ['::ffff:127.0.0.1'],
    }),
  );

  it.each(INTERNAL_URLS)('refuses %s', async (url) => {
    await expect(policy.resolve(url)).rejects.toThrow(/internal address .*WEBHOOK_ALLOWED_HOSTS/);
  });

  it('refuses names that resolve to an internal address, even to one of several', async () => {
    for (const host of ['inside', 'mixed', 'metadata', 'mapped'])
      await expect(policy.resolve(`https://${host}.example.org/hook`)).rejects.toThrow(
        `Webhooks cannot be sent to ${host}.example.org: it resolves to a loopback, private, link-local or otherwise internal address`,
      );
    await expect(policy.resolve('https://nowhere.example.org/')).rejects.toThrow(
      'The host nowhere.example.org of the webhook URL does not resolve.',
    );
  });

  it('accepts public addresses and names and returns the address to connect to', async () => {
    await expect(policy.resolve('https://hooks.example.org/x')).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    await expect(policy.resolve('https://v6.example.org/x')).resolves.toMatchObject({ family: 6 });
    await expect(policy.resolve('http://8.8.8.8/')).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(policy.resolve('http://[2606:4700:4700::1111]/')).resolves.toMatchObject({ family: 6 });
    expect(isInternalAddress('100.63.255.255')).toBe(false);
    expect(isInternalAddress('100.128.0.0')).toBe(false);
    expect(isInternalAddress('172.32.0.1')).toBe(false);
  });

  it('lets listed host names, addresses and networks through', async () => {
    const allowing = new WebhookTargetPolicy(
      ['inside.example.org', '127.0.0.1', '192.168.0.0/16'],
      hosts({ 'inside.example.org': ['10.1.2.3'], 'mixed.example.org': ['93.184.215.14', '192.168.0.10'] }),
    );
    await expect(allowing.resolve('http://inside.example.org/')).resolves.toEqual({ address: '10.1.2.3', family: 4 });
    await expect(allowing.resolve('http://127.0.0.1:9/')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(allowing.resolve('http://[::ffff:127.0.0.1]/')).resolves.toMatchObject({ family: 6 });
    await expect(allowing.resolve('http://mixed.example.org/')).resolves.toMatchObject({ address: '93.184.215.14' });
    await expect(allowing.resolve('http://127.0.0.2/')).rejects.toThrow(/internal address/);
    await expect(allowing.resolve('http://10.1.2.3/')).rejects.toThrow(/internal address/);
  });
});

describe('webhook secrets at rest', () => {
  const key = Buffer.alloc(32, 7);
  const id = '8e0c8a57-2a1a-4d43-a8c3-7d1c1b1c2d3e';

  it('opens what it sealed, and nothing sealed for another row or with another key', () => {
    const sealed = sealWebhookSecret(key, id, 'the-secret-value');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('the-secret-value');
    expect(openWebhookSecret(key, id, sealed)).toBe('the-secret-value');
    expect(openWebhookSecret(key, '00000000-0000-0000-0000-000000000000', sealed)).toBeNull();
    expect(openWebhookSecret(Buffer.alloc(32, 8), id, sealed)).toBeNull();
    expect(openWebhookSecret(key, id, 'v1.AAAA')).toBeNull();
    expect(sealWebhookSecret(key, id, 'x')).not.toBe(sealWebhookSecret(key, id, 'x'));
  });
});
