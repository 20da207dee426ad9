#!/usr/bin/env node
// Builds the web application: src/web/client/**/*.ts (ES modules, Mermaid included; type-checked by npm run typecheck) -> dist/web/.
// Run by `npm run build` after `nest build`; no network, everything comes from node_modules.
const { copyFileSync, mkdirSync, renameSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..', '..');
const src = path.join(root, 'src', 'web', 'client');
const out = path.join(root, 'dist', 'web');

/** Each file is written beside its place and renamed into it: a build running at the same time never reads half a file. */
const temp = (name) => path.join(out, `.${name}.${process.pid}.tmp`);

async function main() {
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(src, 'main.ts')],
    outfile: temp('app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  renameSync(temp('app.js'), path.join(out, 'app.js'));
  for (const f of ['index.html', 'styles.css']) {
    copyFileSync(path.join(src, f), temp(f));
    renameSync(temp(f), path.join(out, f));
  }
  console.log(`web application built into ${path.relative(root, out)}/`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
