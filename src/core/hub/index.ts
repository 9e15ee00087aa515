/**
 * The Hub module: pull a model into the Hugging Face cache, push a saved model, deploy a demo
 * Space. The only place in the project that imports `@huggingface/hub`.
 */
export { pullModel, type PullOptions, type PullResult } from './pull.js';
export { pushFolder, pushFiles, type PushFolderOptions, type PushOptions, type PushResult, type UploadFile } from './push.js';
export { deploySpace, defaultSpaceId, type DeploySpaceOptions, type DeploySpaceResult } from './space.js';
export {
  renderSpaceTemplate,
  readFrontMatter,
  GRADIO_VERSION,
  TRANSFORMERS_JS_URL,
  TRANSFORMERS_JS_VERSION,
  SPACE_COLORS,
  type SpaceColor,
  type SpaceFile,
  type SpaceTemplate,
  type SpaceTemplateOptions,
  type TransformersJsDtype,
} from './space-template.js';
export { HubError, isHubError, type HubErrorKind } from './errors.js';
export type { HubProgressEvent, HubProgressCallback } from './progress.js';
export type { RetryOptions } from './http.js';
export { resolveHubCacheDir, resolveEndpoint, isOfflineEnv, DEFAULT_ENDPOINT, type HubEnv } from './env.js';
export { resolveCachedSnapshot, repoCacheDir } from './cache.js';
export { selectClassifierFiles, TOKENIZER_FILES, type WeightsFormat } from './select.js';
export {
  searchModels,
  listCachedModels,
  repoIdOfCacheFolder,
  CLASSIFIER_TASKS,
  type CachedModel,
  type HubModelHit,
  type SearchModelsOptions,
} from './search.js';
export { validateRepoId, isSafeRepoPath, repoFolderName } from './paths.js';
