/** Seeded synthetic review sentences (English), labelled by the sentiment words they contain. */
import { rng } from './gradcheck.js';

const POS = ['great', 'wonderful', 'excellent', 'delicious', 'fantastic', 'lovely', 'perfect', 'amazing'];
const NEG = ['terrible', 'awful', 'horrible', 'bad', 'disgusting', 'boring', 'cold', 'rude'];
const SUBJ = ['the food', 'the service', 'the movie', 'this place', 'the delivery', 'our meal', 'the staff', 'the pizza'];
const FILL = ['really', 'very', 'quite', 'so', 'truly', 'rather', 'honestly', 'totally'];

export function sentimentSentences(n: number, seed: number): { text: string; label: 0 | 1 }[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const label = r() < 0.5 ? 0 : 1;
    const word = pick(label ? POS : NEG);
    const text = r() < 0.5 ? `${pick(SUBJ)} was ${pick(FILL)} ${word}` : `${word}! ${pick(SUBJ)} is ${pick(FILL)} ${word} today`;
    return { text, label };
  });
}
