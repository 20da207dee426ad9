import { EnvValidationError, loadEnv } from '../../src/config/env';

function envError(source: Record<string, string>): EnvValidationError {
  try {
    loadEnv(source);
  } catch (err) {
    if (err instanceof EnvValidationError) return err;
    throw err;
  }
  throw new Error('expected loadEnv to fail');
}

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({});
    expect(env).toEqual(
      expect.objectContaining({
        NODE_ENV: 'development',
        PORT: 3000,
        REDIS_PREFIX: 'amendflow',
        WORKERS_IN_PROCESS: true,
        LOG_LEVEL: 'log',
        JWT_SECRET_GENERATED: true,
      }),
    );
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(env.DATA_DIR).toMatch(/\/data$/);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('generates a different JWT secret per boot in development', () => {
    expect(loadEnv({}).JWT_SECRET).not.toBe(loadEnv({}).JWT_SECRET);
  });

  it('gives one readable line per bad variable', () => {
    const err = envError({ DATABASE_URL: 'mysql://localhost/x', PORT: 'eighty', REDIS_URL: 'localhost:6379' });
    expect(err.message.split('\n').sort()).toEqual([
      'DATABASE_URL: must be a postgres:// URL',
      'PORT: must be a port number between 0 and 65535',
      'REDIS_URL: must be a redis:// URL',
    ]);
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'PORT', 'REDIS_URL']);
    expect(err.message).not.toMatch(/\bat\s/);
  });

  it('rejects a DATABASE_URL that is not a URL at all', () => {
    expect(envError({ DATABASE_URL: 'not a url' }).message).toBe('DATABASE_URL: must be a postgres:// URL');
  });

  it('requires JWT_SECRET and WEBHOOK_SECRET_KEY in production', () => {
    expect(envError({ NODE_ENV: 'production' }).message.split('\n')).toEqual([
      'JWT_SECRET: is required when NODE_ENV=production',
      'WEBHOOK_SECRET_KEY: is required when NODE_ENV=production (32 bytes: openssl rand -base64 32)',
    ]);
    const env = loadEnv({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-long-enough-production-secret',
      WEBHOOK_SECRET_KEY: 'ab'.repeat(32),
    });
    expect(env.JWT_SECRET_GENERATED).toBe(false);
    expect(env.WEBHOOK_SECRET_KEY_DERIVED).toBe(false);
    expect(Buffer.from(env.WEBHOOK_SECRET_KEY, 'base64')).toEqual(Buffer.alloc(32, 0xab));
  });

  it('validates the webhook settings', () => {
    expect(envError({ WEBHOOK_SECRET_KEY: 'short' }).message).toBe(
      'WEBHOOK_SECRET_KEY: must be 32 bytes written as 64 hex digits or in base64 (openssl rand -base64 32)',
    );
    expect(envError({ WEBHOOK_ALLOWED_HOSTS: 'hooks.internal, 10.0.0.0/33' }).message).toMatch(
      /^WEBHOOK_ALLOWED_HOSTS: must be a comma-separated list of host names, IP addresses and CIDR networks/,
    );
    const env = loadEnv({
      JWT_SECRET: 'a-long-enough-development-secret',
      WEBHOOK_ALLOWED_HOSTS: 'Hooks.Internal, 10.1.0.0/16,::1',
      WEBHOOK_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(env.WEBHOOK_ALLOWED_HOSTS).toEqual(['hooks.internal', '10.1.0.0/16', '::1']);
    expect(Buffer.from(env.WEBHOOK_SECRET_KEY, 'base64')).toEqual(Buffer.alloc(32, 1));
    // unset outside production: derived from JWT_SECRET, the same in every process sharing it
    const a = loadEnv({ JWT_SECRET: 'a-long-enough-development-secret' });
    expect(a.WEBHOOK_SECRET_KEY_DERIVED).toBe(true);
    expect(a.WEBHOOK_SECRET_KEY).toBe(loadEnv({ JWT_SECRET: 'a-long-enough-development-secret' }).WEBHOOK_SECRET_KEY);
    expect(Buffer.from(a.WEBHOOK_SECRET_KEY, 'base64')).toHaveLength(32);
  });

  it('parses booleans, ports and log levels', () => {
    const env = loadEnv({
      WORKERS_IN_PROCESS: 'no',
      PORT: '8080',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      DATABASE_URL: 'postgresql://u:p@db:5433/x',
    });
    expect(env.WORKERS_IN_PROCESS).toBe(false);
    expect(env.PORT).toBe(8080);
    expect(env.LOG_LEVEL).toBe('log');
    expect(env.DATABASE_URL).toBe('postgresql://u:p@db:5433/x');
    expect(envError({ WORKERS_IN_PROCESS: 'maybe' }).issues[0].variable).toBe('WORKERS_IN_PROCESS');
  });

  it('treats empty variables as unset', () => {
    const env = loadEnv({ DATABASE_URL: '', PORT: '', REDIS_PREFIX: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
    expect(env.REDIS_PREFIX).toBe('amendflow');
  });
});
