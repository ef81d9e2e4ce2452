// @ts-check
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Third-party packages the dashboard (a browser/edge bundle) must never pull in. */
const SERVER_ONLY_PACKAGES = ['typeorm', '@nestjs/*', 'bullmq', 'ioredis', 'pg', '@electric-sql/*'];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/next-env.d.ts', '.nx/**', 'coverage/**', 'docs/**', 'tmp/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      // Dependency direction (docs/architecture.md): apps → libs; no app imports another app;
      // collectors → audit-core; evidence and audit-core → nothing of ours.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:evidence', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:collectors', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:migrations', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:service-kit', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:core'], bannedExternalImports: SERVER_ONLY_PACKAGES },
            { sourceTag: 'scope:evidence-store', onlyDependOnLibsWithTags: ['scope:core', 'scope:evidence'] },
            {
              sourceTag: 'scope:dashboard',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:client'],
              bannedExternalImports: SERVER_ONLY_PACKAGES,
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // CommonJS entry points and config files.
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
