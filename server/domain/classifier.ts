/** Classifying a report's free text into a minor category by keywords (the report path's 自动分类). */
import rawKeywords from '../contract/category-keywords.json' with { type: 'json' };
import type { Kind } from './report-input.ts';
import { TAXONOMY, type Category, type Taxonomy } from '../contract/taxonomy.ts';

interface Term {
  text: string;
  weight: number;
}

export interface Classifier {
  /** The best category for the text, or null when nothing matches well enough. */
  classify(text: string, kind?: Kind): { category: Category; score: number } | null;
}

/** Minimum score to accept a classification (a two-character keyword). */
export const MIN_CLASSIFY_SCORE = 2;

/**
 * Keyword classifier: each category's name (weight 2 per character) and its synonyms (1 per character) that occur
 * in the text add up; the name's character pairs add 0.5 each, so a paraphrase still leans the right way. Suggestions
 * prefer the 建议 classes when they tie.
 */
export function createClassifier(
  taxonomy: Taxonomy = TAXONOMY,
  keywords: Record<string, readonly string[]> = (rawKeywords as { keywords: Record<string, string[]> }).keywords,
): Classifier {
  const entries = taxonomy.categories.map((c) => {
    const terms: Term[] = [{ text: c.name, weight: 2 }, ...(keywords[c.code] ?? []).map((k) => ({ text: k, weight: 1 }))];
    const pairs = new Set<string>();
    for (let i = 0; i + 1 < c.name.length; i++) pairs.add(c.name.slice(i, i + 2));
    return { category: c, terms, pairs: [...pairs] };
  });
  return {
    classify(text, kind) {
      let best: { category: Category; score: number } | null = null;
      for (const e of entries) {
        let score = 0;
        for (const t of e.terms) if (text.includes(t.text)) score += t.weight * t.text.length;
        for (const p of e.pairs) if (text.includes(p)) score += 0.5;
        if (kind === 'suggestion' && e.category.majorCode === '12' && score > 0) score += 0.25;
        if (score > (best?.score ?? 0)) best = { category: e.category, score };
      }
      return best && best.score >= MIN_CLASSIFY_SCORE ? best : null;
    },
  };
}
