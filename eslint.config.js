// Lint: typescript-eslint's recommended rules plus the project's layering rules:
// - nothing under src/core (nor src/protocol, src/worker, src/cli) imports `vscode`;
// - only src/core/engine/runtime.ts imports onnxruntime-node;
// - only src/core/hub/ imports @huggingface/hub.
import tseslint from 'typescript-eslint';

const ORT = {
  name: 'onnxruntime-node',
  message: 'Only src/core/engine/runtime.ts may import onnxruntime-node (one runtime seam).',
};
const HUB = { name: '@huggingface/hub', message: 'Only src/core/hub/ may import @huggingface/hub.' };
const VSCODE = { name: 'vscode', message: 'src/core, src/protocol, src/worker and src/cli must not import vscode.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'scratch/**', 'test/fixtures/**', '.test-output/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [ORT, HUB] }],
    },
  },
  {
    files: ['src/core/**', 'src/protocol/**', 'src/worker/**', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ORT, HUB, VSCODE] }] },
  },
  {
    files: ['src/core/engine/runtime.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [HUB, VSCODE] }] },
  },
  {
    files: ['src/core/hub/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ORT, VSCODE] }] },
  },
);
