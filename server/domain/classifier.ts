/** Classifying a report's free text into a minor category by keywords (the report path's 自动分类). */
import rawKeywords from '../contract/category-keywords.json' with { type: 'json' };
import type { Kind } from './report-input.ts';
import { SUGGESTION_MAJOR, TAXONOMY, type Category, type Taxonomy } from '../contract/taxonomy.ts';

export interface Classifier {
  /** The best category for the text, or null when nothing matches well enough. */
  classify(text: string, kind?: Kind): { category: Category; score: number } | null;
}

/** Minimum score to accept a classification (a two-character keyword). */
export const MIN_CLASSIFY_SCORE = 2;

/** One thing to look for in a text: a category's name, one of its keywords or a character pair of its name. */
interface Term {
  text: string;
  /** Index of the category in the taxonomy's order. */
  entry: number;
  /** What finding it adds to that category's score (once, however often it occurs). */
  score: number;
}

/**
 * Keyword classifier: each category's name (weight 2 per character) and its synonyms (1 per character) that occur
 * in the text add up; the name's character pairs add 0.5 each, so a paraphrase still leans the right way. Suggestions
 * prefer the 建议 classes when they tie; on equal scores the category first in the taxonomy wins.
 *
 * The terms are indexed by their first character, so a text is read once, trying at each position only the terms
 * that start there, instead of searching the whole text for every one of the taxonomy's ~900 terms.
 */
export function createClassifier(
  taxonomy: Taxonomy = TAXONOMY,
  keywords: Record<string, readonly string[]> = (rawKeywords as { keywords: Record<string, string[]> }).keywords,
): Classifier {
  const categories = taxonomy.categories;
  const terms: Term[] = [];
  categories.forEach((c, entry) => {
    terms.push({ text: c.name, entry, score: 2 * c.name.length });
    for (const k of keywords[c.code] ?? []) terms.push({ text: k, entry, score: k.length });
    const pairs = new Set<string>();
    for (let i = 0; i + 1 < c.name.length; i++) pairs.add(c.name.slice(i, i + 2));
    for (const p of pairs) terms.push({ text: p, entry, score: 0.5 });
  });
  const byFirst = new Map<number, number[]>();
  terms.forEach((t, i) => {
    if (t.text.length === 0) return;
    const list = byFirst.get(t.text.charCodeAt(0));
    if (list) list.push(i);
    else byFirst.set(t.text.charCodeAt(0), [i]);
  });
  const suggestion = categories.map((c) => c.majorCode === SUGGESTION_MAJOR);
  // Per-call scratch, reused: which terms this call has counted (by call stamp) and each category's score.
  const seen = new Uint32Array(terms.length);
  const scores = new Float64Array(categories.length);
  let stamp = 0;

  return {
    classify(text, kind) {
      if (++stamp === 0xffffffff) (seen.fill(0), (stamp = 1));
      scores.fill(0);
      for (let i = 0; i < text.length; i++) {
        const list = byFirst.get(text.charCodeAt(i));
        if (!list) continue;
        for (const ti of list) {
          if (seen[ti] === stamp) continue;
          const t = terms[ti];
          if (text.startsWith(t.text, i)) (seen[ti] = stamp), (scores[t.entry] += t.score);
        }
      }
      let best = -1;
      let bestScore = 0;
      for (let e = 0; e < categories.length; e++) {
        let score = scores[e];
        if (kind === 'suggestion' && suggestion[e] && score > 0) score += 0.25;
        if (score > bestScore) (best = e), (bestScore = score);
      }
      return best >= 0 && bestScore >= MIN_CLASSIFY_SCORE ? { category: categories[best], score: bestScore } : null;
    },
  };
}
