#!/usr/bin/env node
// Builds the web application: src/web/client/**/*.ts (ES modules, Mermaid included; type-checked by npm run typecheck) -> dist/web/.
// Run by `npm run build` after `nest build`; no network, everything comes from node_modules.
const { copyFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..', '..');
const src = path.join(root, 'src', 'web', 'client');
const out = path.join(root, 'dist', 'web');

async function main() {
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(src, 'main.ts')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'styles.css']) copyFileSync(path.join(src, f), path.join(out, f));
  console.log(`web application built into ${path.relative(root, out)}/`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
