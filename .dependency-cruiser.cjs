/**
 * The allowed arrows between the parts of amendflow (see the layout in docs and README's design
 * section), checked by `npm run lint:deps` in CI. A rule names what must never happen.
 */
const FEATURES =
  'auth|reference|engine|instances|approvals|documents|deadlines|notifications|monitoring|web|health|cli';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'machines-are-pure',
      severity: 'error',
      comment:
        'workflows/ holds pure machines: it imports xstate, zod and itself only (no src/, no Node, no other package).',
      from: { path: '^workflows/' },
      to: { pathNot: ['^workflows/', '^node_modules/(xstate|zod)/'] },
    },
    {
      name: 'engine-knows-no-callers',
      severity: 'error',
      comment:
        'The engine is called by HTTP parts, processors and scripts; it imports none of them, nor a page. ' +
        'Ports it needs (metrics, outbox handlers, faults) are declared in the engine and implemented elsewhere.',
      from: { path: '^src/engine/' },
      to: {
        path: [
          '^src/(web|instances|approvals|documents|deadlines|notifications|monitoring)/',
          '\\.controller\\.ts$',
          '\\.processor\\.ts$',
        ],
      },
    },
    {
      name: 'plumbing-knows-no-feature',
      severity: 'error',
      comment:
        'src/common, src/infra and src/config are leaves: errors, helpers, clock, database and Redis plumbing. ' +
        'Feature modules register their own entities and providers.',
      from: { path: '^src/(common|infra|config)/' },
      to: { path: `^src/(${FEATURES})/` },
    },
    {
      name: 'approvals-not-instances',
      severity: 'error',
      comment: 'Approvals reads procedures through the engine (InstanceViews), never through the instances module.',
      from: { path: '^src/approvals/' },
      to: { path: '^src/instances/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module imports itself through others.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'No folder depends on itself through other folders (e.g. auth -> reference -> infra -> auth).',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves to a file or an installed package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^dist/', '\\.spec\\.ts$', '^src/web/client/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
  },
};
