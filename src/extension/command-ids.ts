/** Command ids, prefixed in one place (no vscode import: the manifest test reads this list). */
export const PREFIX = 'finetune';

export const COMMAND_IDS = {
  newTrainingRun: `${PREFIX}.newTrainingRun`,
  previewDataset: `${PREFIX}.previewDataset`,
  trainOnFile: `${PREFIX}.trainOnFile`,
  openDashboard: `${PREFIX}.openDashboard`,
  openPredictBox: `${PREFIX}.openPredictBox`,
  classifySelection: `${PREFIX}.classifySelection`,
  cancelTraining: `${PREFIX}.cancelTraining`,
  pullModel: `${PREFIX}.pullModel`,
  pushModel: `${PREFIX}.pushModel`,
  deploySpace: `${PREFIX}.deploySpace`,
  setHubToken: `${PREFIX}.setHubToken`,
  exportModel: `${PREFIX}.exportModel`,
  compareRuns: `${PREFIX}.compareRuns`,
  openSampleData: `${PREFIX}.openSampleData`,
  trainSample: `${PREFIX}.trainSample`,
  findLabelErrors: `${PREFIX}.findLabelErrors`,
  relabelIssue: `${PREFIX}.relabelIssue`,
  markIssueReviewed: `${PREFIX}.markIssueReviewed`,
  showReviewedIssues: `${PREFIX}.showReviewedIssues`,
  hideReviewedIssues: `${PREFIX}.hideReviewedIssues`,
} as const;

/** Commands the extension registers for its own views (a tree item's click), not contributed to the palette. */
export const INTERNAL_COMMANDS = {
  openLabelIssue: `${PREFIX}.openLabelIssue`,
} as const;

export type CommandName = keyof typeof COMMAND_IDS;

/** The sidebar view (contributes.views) and the editor panels' view types, under the same prefix. */
export const VIEW_IDS = {
  training: `${PREFIX}.training`,
  dashboard: `${PREFIX}.dashboard`,
  dataset: `${PREFIX}.dataset`,
  predict: `${PREFIX}.predict`,
  compare: `${PREFIX}.compare`,
  labelIssues: `${PREFIX}.labelIssues`,
} as const;

/** VS Code's own command that reveals the sidebar view. */
export const FOCUS_TRAINING_VIEW = `${VIEW_IDS.training}.focus`;
export type CommandId = (typeof COMMAND_IDS)[CommandName];

/** Titles as the palette shows them (category "Finetune"). */
export const COMMAND_TITLES: Record<CommandName, string> = {
  newTrainingRun: 'New Training Run',
  previewDataset: 'Preview Dataset',
  trainOnFile: 'Train on This File',
  openDashboard: 'Open Training Dashboard',
  openPredictBox: 'Open Predict Box',
  classifySelection: 'Classify Selection',
  cancelTraining: 'Cancel Training',
  pullModel: 'Pull Model from Hub',
  pushModel: 'Push Model to Hub',
  deploySpace: 'Deploy Demo Space',
  setHubToken: 'Set Hugging Face Token',
  exportModel: 'Export Model',
  compareRuns: 'Compare Runs',
  openSampleData: 'Open Sample Data',
  trainSample: 'Start a Short Sample Run',
  findLabelErrors: 'Find Label Errors',
  relabelIssue: 'Relabel as Suggested',
  markIssueReviewed: 'Mark Reviewed',
  showReviewedIssues: 'Show Reviewed Label Issues',
  hideReviewedIssues: 'Hide Reviewed Label Issues',
};

/** Lines of a selection to classify: the whole selection, or each non-empty line of a multi-line one. */
export function selectionItems(text: string, startLine: number): { line: number; text: string }[] {
  const lines = text.split(/\r?\n/);
  if (lines.length === 1) return text.trim() ? [{ line: startLine, text: text.trim() }] : [];
  return lines.map((t, i) => ({ line: startLine + i, text: t.trim() })).filter((x) => x.text !== '');
}

export function formatScore(label: string, score: number): string {
  return `${label} ${(100 * score).toFixed(1)}%`;
}

/** A prediction in one phrase: its top label and probability, or that the model abstained (below its confidence threshold). */
export function predictionText(p: { scores: readonly { label: string; score: number }[]; abstained?: { threshold: number } }): string {
  if (p.abstained) return `abstained — below the ${(100 * p.abstained.threshold).toFixed(1)}% confidence threshold`;
  const top = p.scores[0];
  return top ? formatScore(top.label, top.score) : '';
}
