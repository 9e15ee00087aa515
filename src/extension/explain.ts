/**
 * Explanations for the predict box and Classify Selection: Integrated Gradients in the worker (never
 * on the extension host's thread), with the `finetune.igSteps` setting and the Hub token (a Hub model
 * is pulled on first use). The model reads the text with its own long-text settings.
 */
import type { TextExplanation } from '../protocol/explain.js';
import type { Ctx } from './ctx.js';

export async function explainText(ctx: Ctx, model: string, text: string, opts: { pair?: string; label?: string } = {}): Promise<TextExplanation> {
  return ctx.runs.client().explain(model, text, { ...opts, steps: ctx.settings.igSteps, ...(await ctx.predictOptions()) });
}
