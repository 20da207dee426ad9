import { availableParallelism } from 'node:os';
import { EnvValidationError, loadEnv, MAX_API_PROCESSES } from '../../src/config/env';

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

  const PRODUCTION = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://amendflow:secret@db:5432/amendflow',
    REDIS_URL: 'redis://redis:6379',
    JWT_SECRET: 'a-long-enough-production-secret-of-48-bytes-----',
    WEBHOOK_SECRET_KEY: 'ab'.repeat(32),
    EVIDENCE_SIGNING_KEY: 'cd'.repeat(32),
  };

  it('refuses production without DATABASE_URL, REDIS_URL, JWT_SECRET, WEBHOOK_SECRET_KEY and EVIDENCE_SIGNING_KEY, one line per missing setting', () => {
    const err = envError({ NODE_ENV: 'production' });
    expect(err.message.split('\n')).toEqual([
      'DATABASE_URL: is required when NODE_ENV=production (postgres://user:password@host:5432/database)',
      'REDIS_URL: is required when NODE_ENV=production (redis://host:6379)',
      'JWT_SECRET: is required when NODE_ENV=production (at least 32 random bytes)',
      'WEBHOOK_SECRET_KEY: is required when NODE_ENV=production (32 bytes: openssl rand -base64 32)',
      'EVIDENCE_SIGNING_KEY: or EVIDENCE_SIGNING_KEY_FILE is required when NODE_ENV=production (the checkpoint signing key: openssl rand -base64 32)',
    ]);
    const env = loadEnv(PRODUCTION);
    expect(env.JWT_SECRET_GENERATED).toBe(false);
    expect(env.WEBHOOK_SECRET_KEY_DERIVED).toBe(false);
    expect(Buffer.from(env.WEBHOOK_SECRET_KEY, 'base64')).toEqual(Buffer.alloc(32, 0xab));
    expect(env.DEMO).toBe(false);
    expect(env.DOCS_ENABLED).toBe(false);
    expect(env.LOG_FORMAT).toBe('json');
  });

  it('lists the missing production settings next to the malformed ones', () => {
    const err = envError({ NODE_ENV: 'production', JWT_SECRET: 'sixteen-chars-ok', OUTBOX_SWEEP_MS: 'abc' });
    expect(err.message.split('\n').sort()).toEqual([
      'DATABASE_URL: is required when NODE_ENV=production (postgres://user:password@host:5432/database)',
      'EVIDENCE_SIGNING_KEY: or EVIDENCE_SIGNING_KEY_FILE is required when NODE_ENV=production (the checkpoint signing key: openssl rand -base64 32)',
      'JWT_SECRET: must be at least 32 bytes long (e.g. openssl rand -base64 48)',
      'OUTBOX_SWEEP_MS: must be a whole number of milliseconds from 0 to 3600000',
      'REDIS_URL: is required when NODE_ENV=production (redis://host:6379)',
      'WEBHOOK_SECRET_KEY: is required when NODE_ENV=production (32 bytes: openssl rand -base64 32)',
    ]);
  });

  it('requires signed answers in production by default, optional elsewhere, and validates ANSWER_SIGNING', () => {
    expect(loadEnv(PRODUCTION).ANSWER_SIGNING).toBe('required');
    expect(loadEnv({}).ANSWER_SIGNING).toBe('optional');
    expect(loadEnv({ NODE_ENV: 'test' }).ANSWER_SIGNING).toBe('optional');
    expect(loadEnv({ ANSWER_SIGNING: 'required' }).ANSWER_SIGNING).toBe('required');
    expect(loadEnv({ ...PRODUCTION, ANSWER_SIGNING: 'optional' }).ANSWER_SIGNING).toBe('optional');
    expect(envError({ ANSWER_SIGNING: 'yes' }).message).toBe('ANSWER_SIGNING: must be one of required, optional');
  });

  it('refuses demo accounts in production', () => {
    expect(envError({ ...PRODUCTION, DEMO: 'true' }).message).toBe(
      'DEMO: demo accounts (a known password) are refused when NODE_ENV=production',
    );
    expect(loadEnv({ DEMO: 'true' }).DEMO).toBe(true);
    expect(loadEnv({}).DEMO).toBe(false);
  });

  it('validates every setting at boot: nothing read elsewhere falls back silently', () => {
    const err = envError({
      OUTBOX_SWEEP_MS: 'abc',
      RECONCILE_EVERY_MS: '-1',
      DEADLINE_CONCURRENCY: '0',
      WEBHOOK_TIMEOUT_MS: '1.5',
      ACCESS_TOKEN_TTL: 'forever',
      SIGN_IN_ATTEMPTS_PER_MINUTE: '0',
      PASSWORD_MIN_LENGTH: '4',
      DOCS_ENABLED: 'perhaps',
      METRICS_PORT: '70000',
      METRICS_TOKEN: 'short',
      LOG_FORMAT: 'xml',
      PUBLIC_URL: 'ftp://x',
    });
    expect(err.issues.map((i) => i.variable).sort()).toEqual([
      'ACCESS_TOKEN_TTL',
      'DEADLINE_CONCURRENCY',
      'DOCS_ENABLED',
      'LOG_FORMAT',
      'METRICS_PORT',
      'METRICS_TOKEN',
      'OUTBOX_SWEEP_MS',
      'PASSWORD_MIN_LENGTH',
      'PUBLIC_URL',
      'RECONCILE_EVERY_MS',
      'SIGN_IN_ATTEMPTS_PER_MINUTE',
      'WEBHOOK_TIMEOUT_MS',
    ]);
    const env = loadEnv({ OUTBOX_SWEEP_MS: '0', RECONCILE_EVERY_MS: '250', DOCS_ENABLED: 'yes', METRICS_PORT: '9464' });
    expect(env).toMatchObject({ OUTBOX_SWEEP_MS: 0, RECONCILE_EVERY_MS: 250, DOCS_ENABLED: true, METRICS_PORT: 9464 });
    expect(loadEnv({ ...PRODUCTION, DOCS_ENABLED: 'true' }).DOCS_ENABLED).toBe(true);
  });

  it('bounds how long a token check may be reused (TOKEN_CACHE_TTL_MS)', () => {
    expect(loadEnv({}).TOKEN_CACHE_TTL_MS).toBe(10_000);
    expect(loadEnv({ TOKEN_CACHE_TTL_MS: '0' }).TOKEN_CACHE_TTL_MS).toBe(0);
    expect(loadEnv({ TOKEN_CACHE_TTL_MS: '60000' }).TOKEN_CACHE_TTL_MS).toBe(60_000);
    for (const bad of ['60001', '-1', '1.5', 'ten seconds']) {
      expect(envError({ TOKEN_CACHE_TTL_MS: bad }).message).toBe(
        'TOKEN_CACHE_TTL_MS: must be a whole number from 0 to 60000',
      );
    }
  });

  it('refuses a JWT_SECRET shorter than 32 bytes', () => {
    expect(envError({ JWT_SECRET: 'x'.repeat(31) }).message).toBe(
      'JWT_SECRET: must be at least 32 bytes long (e.g. openssl rand -base64 48)',
    );
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

  it('API_PROCESSES: one by default, a whole number or auto (one per core), a readable line otherwise', () => {
    expect(loadEnv({}).API_PROCESSES).toBe(1);
    expect(loadEnv({ API_PROCESSES: '' }).API_PROCESSES).toBe(1);
    expect(loadEnv({ API_PROCESSES: ' 3 ' }).API_PROCESSES).toBe(3);
    expect(loadEnv({ API_PROCESSES: 'Auto' }).API_PROCESSES).toBe(Math.min(MAX_API_PROCESSES, availableParallelism()));
    for (const bad of ['0', '-2', '1.5', 'two', '65', 'auto2']) {
      const err = envError({ API_PROCESSES: bad });
      expect(err.issues).toEqual([
        {
          variable: 'API_PROCESSES',
          message: `must be a whole number from 1 to ${MAX_API_PROCESSES} or "auto" (one per core, ${availableParallelism()} here)`,
        },
      ]);
    }
  });

  it('treats empty variables as unset', () => {
    const env = loadEnv({ DATABASE_URL: '', PORT: '', REDIS_PREFIX: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
    expect(env.REDIS_PREFIX).toBe('amendflow');
  });

  it('mail: off by default; SMTP_URL needs MAIL_FROM and PUBLIC_URL, and MAIL_FROM needs SMTP_URL', () => {
    const off = loadEnv({});
    expect(off.SMTP_URL).toBeUndefined();
    expect(off.MAIL_ATTEMPTS).toBe(8);
    const on = loadEnv({
      SMTP_URL: 'smtp://mail.sco.test:587',
      MAIL_FROM: 'amendflow <no-reply@sco.test>',
      PUBLIC_URL: 'https://amendflow.sco.test/',
    });
    expect(on).toMatchObject({ SMTP_URL: 'smtp://mail.sco.test:587', MAIL_FROM: 'amendflow <no-reply@sco.test>' });
    expect(envError({ SMTP_URL: 'smtp://mail.sco.test' }).message.split('\n').sort()).toEqual([
      'MAIL_FROM: is required with SMTP_URL (the sender of notification mails, e.g. no-reply@sco.example.org)',
      'PUBLIC_URL: is required with SMTP_URL (mails link to the web application at this address)',
    ]);
    expect(envError({ MAIL_FROM: 'no-reply@sco.test' }).message).toMatch(/^SMTP_URL: is required with MAIL_FROM/);
    expect(envError({ SMTP_URL: 'http://mail.sco.test' }).message).toMatch(
      /^SMTP_URL: must be a smtp:\/\/ or smtps:\/\/ URL/,
    );
    expect(
      envError({ SMTP_URL: 'smtp://m.test', MAIL_FROM: 'not an address', PUBLIC_URL: 'https://a.test' }).message,
    ).toMatch(/^MAIL_FROM: must be an e-mail address/);
  });

  it('the diff budget: defaults, set values, and one line per bad value', () => {
    expect(loadEnv({})).toMatchObject({
      DIFF_TIMEOUT_MS: 2000,
      DIFF_MAX_EDIT_LENGTH: 20_000,
      DIFF_MAX_CHARS: 2_000_000,
    });
    expect(loadEnv({ DIFF_TIMEOUT_MS: '500', DIFF_MAX_EDIT_LENGTH: '300', DIFF_MAX_CHARS: '100000' })).toMatchObject({
      DIFF_TIMEOUT_MS: 500,
      DIFF_MAX_EDIT_LENGTH: 300,
      DIFF_MAX_CHARS: 100_000,
    });
    expect(
      envError({ DIFF_TIMEOUT_MS: 'abc', DIFF_MAX_EDIT_LENGTH: '0', DIFF_MAX_CHARS: '1.5' }).message.split('\n').sort(),
    ).toEqual([
      'DIFF_MAX_CHARS: must be a whole number from 1 to 50000000',
      'DIFF_MAX_EDIT_LENGTH: must be a whole number from 1 to 1000000',
      'DIFF_TIMEOUT_MS: must be a whole number of milliseconds from 1 to 60000',
    ]);
  });
});
