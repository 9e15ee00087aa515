/**
 * `deploySpace`: create (or update) a demo Space for a pushed model from one of the two templates
 * of space-template.ts, and return its URL.
 */
import { fileExists } from '@huggingface/hub';
import { HubError } from './errors.js';
import { DEFAULT_ENDPOINT, normalizeEndpoint, resolveEndpoint } from './env.js';
import { validateRepoId } from './paths.js';
import { pushFiles, type PushOptions, type PushResult } from './push.js';
import { renderSpaceTemplate, type SpaceFile, type SpaceTemplateOptions } from './space-template.js';

export interface DeploySpaceOptions extends PushOptions, Omit<SpaceTemplateOptions, 'modelRepoId' | 'endpoint'> {
  /** The Space id, `namespace/name` or `name` (default: "<model name>-demo" in the model's namespace). */
  spaceId?: string;
}

export interface DeploySpaceResult extends PushResult {
  /** The generated files, as uploaded. */
  spaceFiles: SpaceFile[];
}

export function defaultSpaceId(modelRepoId: string): string {
  const parts = modelRepoId.split('/');
  const name = `${parts[parts.length - 1] ?? 'model'}-demo`.slice(0, 96);
  return parts.length === 2 ? `${parts[0]}/${name}` : name;
}

/** Whether the model repo has a calibration.json at the Space's revision (undefined when the Hub did not say: the page then asks). */
async function hasCalibration(repo: string, endpoint: string, options: DeploySpaceOptions): Promise<boolean | undefined> {
  try {
    return await fileExists({
      repo: { type: 'model', name: repo },
      path: 'calibration.json',
      ...(options.revision ? { revision: options.revision } : {}),
      hubUrl: endpoint,
      accessToken: options.token,
      fetch: (input, init) => fetch(input, { ...init, ...(options.signal ? { signal: options.signal } : {}) }),
    });
  } catch {
    return undefined;
  }
}

export async function deploySpace(modelRepoId: string, options: DeploySpaceOptions): Promise<DeploySpaceResult> {
  validateRepoId(modelRepoId);
  const spaceId = validateRepoId(options.spaceId ?? defaultSpaceId(modelRepoId));
  const endpoint = options.endpoint ? normalizeEndpoint(options.endpoint) : resolveEndpoint(options.env ?? process.env);
  if (!options.template) throw new HubError('invalid-argument', 'choose a Space template: gradio or static');
  const calibration =
    options.template === 'static' && options.calibration === undefined ? await hasCalibration(modelRepoId, endpoint, options) : options.calibration;
  // The static page fetches the model from the Hub it was pushed to (Transformers.js' default is huggingface.co).
  const remoteHost = options.remoteHost ?? (options.template === 'static' && endpoint !== DEFAULT_ENDPOINT ? `${endpoint}/` : undefined);
  const spaceFiles = renderSpaceTemplate({
    ...options,
    modelRepoId,
    endpoint,
    ...(calibration === undefined ? {} : { calibration }),
    ...(remoteHost === undefined ? {} : { remoteHost }),
  });
  const result = await pushFiles(
    spaceId,
    'space',
    spaceFiles.map((f) => ({ path: f.path, content: new Blob([f.content]) })),
    { ...options, endpoint, sdk: options.template, commitMessage: options.commitMessage ?? `Deploy ${options.template} demo of ${modelRepoId}` },
  );
  return { ...result, spaceFiles };
}
