// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // `*.tmp.ts` are local scratch files (profiling probes), never committed.
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', 'bench/results/**', '**/*.tmp.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
