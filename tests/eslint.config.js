// ESLint (flat config) for the end-to-end tests, their helpers and tools: ES modules on Node.js.
// Run with `npm run lint` in tests/.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Leftovers of a refactor (an import, a local helper) are errors, not warnings.
      'no-unused-vars': 'error',
    },
  },
];
