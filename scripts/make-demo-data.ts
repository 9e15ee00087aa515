/**
 * Writes the demo data set examples/reviews/{train,test}.csv: seeded, generated restaurant and
 * delivery reviews in English, Chinese and Spanish, labelled positive / negative, with 4% of the
 * training labels flipped (real data is noisy) and some negated phrasings that a bag of words gets
 * wrong. Run: npx tsx scripts/make-demo-data.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Lang = 'en' | 'zh' | 'es';
const W = {
  en: {
    subj: ['the food', 'the pizza', 'the noodles', 'the delivery', 'the service', 'the soup', 'the rider', 'the packaging', 'the burger', 'the rice'],
    adv: ['really', 'very', 'quite', 'so', 'incredibly', 'pretty', 'truly'],
    pos: ['delicious', 'fresh', 'great', 'fast', 'tasty', 'amazing', 'hot', 'friendly', 'perfect', 'excellent'],
    neg: ['cold', 'bland', 'awful', 'slow', 'greasy', 'terrible', 'stale', 'rude', 'soggy', 'disappointing'],
    tpl: [
      (s: string, a: string, j: string) => `${s} was ${a} ${j}`,
      (s: string, a: string, j: string) => `${j}! ${s} was ${a} ${j}, would order again?`,
      (s: string, a: string, j: string) => `honestly ${s} is ${a} ${j}`,
      (s: string, a: string, j: string) => `${s}: ${a} ${j}.`,
    ],
    neg_of_pos: (j: string) => `not ${j} at all`,
    neg_of_neg: (j: string) => `not ${j}`,
  },
  zh: {
    subj: ['菜', '外卖', '米饭', '面条', '送餐', '服务', '汤', '包装', '骑手', '味道'],
    adv: ['很', '非常', '特别', '太', '真的', '挺', '超级'],
    pos: ['好吃', '新鲜', '快', '热乎', '干净', '实惠', '香', '满意', '不错', '贴心'],
    neg: ['难吃', '凉了', '慢', '咸', '油腻', '差', '贵', '少', '脏', '失望'],
    tpl: [
      (s: string, a: string, j: string) => `${s}${a}${j}`,
      (s: string, a: string, j: string) => `这家的${s}${a}${j}！`,
      (s: string, a: string, j: string) => `${s}${a}${j}，下次还会点吗`,
      (s: string, a: string, j: string) => `说实话${s}${a}${j}。`,
    ],
    neg_of_pos: (j: string) => `一点也不${j}`,
    neg_of_neg: (j: string) => `不${j}`,
  },
  es: {
    subj: ['la comida', 'la pizza', 'el servicio', 'la entrega', 'la sopa', 'el repartidor', 'el arroz', 'la hamburguesa'],
    adv: ['muy', 'bastante', 'súper', 'realmente', 'tan'],
    pos: ['rica', 'fresca', 'rápida', 'excelente', 'buena', 'caliente', 'perfecta', 'deliciosa'],
    neg: ['fría', 'mala', 'lenta', 'horrible', 'sosa', 'grasienta', 'terrible', 'pésima'],
    tpl: [
      (s: string, a: string, j: string) => `${s} estaba ${a} ${j}`,
      (s: string, a: string, j: string) => `¡${s} ${a} ${j}!`,
      (s: string, a: string, j: string) => `sinceramente ${s} es ${a} ${j}`,
    ],
    neg_of_pos: (j: string) => `nada ${j}`,
    neg_of_neg: (j: string) => `no tan ${j}`,
  },
} as const;

export function makeReviews(n: number, seed: number, noise: number): { text: string; label: string }[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const rows: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const lang: Lang = pick(['en', 'en', 'zh', 'zh', 'es'] as const);
    const w = W[lang];
    let positive = r() < 0.45;
    let text: string;
    if (r() < 0.12) {
      // Negated: "not fresh at all" is negative although "fresh" is a positive word.
      const fromPos = r() < 0.5;
      const j = pick(fromPos ? w.pos : w.neg);
      const phrase = fromPos ? w.neg_of_pos(j) : w.neg_of_neg(j);
      positive = !fromPos;
      text = lang === 'zh' ? `${pick(w.subj)}${phrase}` : `${pick(w.subj)} ${lang === 'es' ? 'estaba ' : 'was '}${phrase}`;
    } else text = pick(w.tpl)(pick(w.subj), pick(w.adv), pick(positive ? w.pos : w.neg));
    if (r() < noise) positive = !positive;
    rows.push({ text, label: positive ? 'positive' : 'negative' });
  }
  return rows;
}

const csv = (rows: { text: string; label: string }[]): string =>
  `text,label\n${rows.map((x) => `${/[",\n]/.test(x.text) ? `"${x.text.replace(/"/g, '""')}"` : x.text},${x.label}`).join('\n')}\n`;

mkdirSync('examples/reviews', { recursive: true });
writeFileSync('examples/reviews/train.csv', csv(makeReviews(3000, 2026, 0.04)));
writeFileSync('examples/reviews/test.csv', csv(makeReviews(300, 7, 0)));
console.log('wrote examples/reviews/train.csv (3000 rows) and examples/reviews/test.csv (300 rows)');
