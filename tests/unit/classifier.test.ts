import { describe, expect, it } from 'vitest';
import rawKeywords from '../../server/contract/category-keywords.json' with { type: 'json' };
import { SUGGESTION_MAJOR, TAXONOMY, type Category } from '../../server/contract/taxonomy.ts';
import { createClassifier, MIN_CLASSIFY_SCORE } from '../../server/domain/classifier.ts';
import { createRng } from '../../server/domain/prng.ts';

const KEYWORDS = (rawKeywords as { keywords: Record<string, string[]> }).keywords;

/** The rule written the plain way: search the text for every term of every category. */
function reference(text: string, kind?: 'suggestion' | 'incident'): { category: Category; score: number } | null {
  let best: { category: Category; score: number } | null = null;
  for (const c of TAXONOMY.categories) {
    let score = 0;
    if (text.includes(c.name)) score += 2 * c.name.length;
    for (const k of KEYWORDS[c.code] ?? []) if (text.includes(k)) score += k.length;
    const pairs = new Set<string>();
    for (let i = 0; i + 1 < c.name.length; i++) pairs.add(c.name.slice(i, i + 2));
    for (const p of pairs) if (text.includes(p)) score += 0.5;
    if (kind === 'suggestion' && c.majorCode === SUGGESTION_MAJOR && score > 0) score += 0.25;
    if (score > (best?.score ?? 0)) best = { category: c, score };
  }
  return best && best.score >= MIN_CLASSIFY_SCORE ? best : null;
}

describe('classifier', () => {
  const classifier = createClassifier();

  it('classifies plain reports by name and keywords', () => {
    expect(classifier.classify('小区门口有暴露垃圾没人清理')?.category.code).toBe('0102');
    expect(classifier.classify('楼顶私搭乱建一间铁皮房')?.category.code).toBe('0101');
    expect(classifier.classify('今天天气很好')).toBeNull();
  });

  it('gives the reference result and score for names, keywords, fragments and repeats mixed at random', () => {
    const rng = createRng(430302);
    const rnd = () => rng.next();
    const pieces = [
      ...TAXONOMY.categories.map((c) => c.name),
      ...Object.values(KEYWORDS).flat(),
      ...TAXONOMY.categories.map((c) => c.name.slice(1, 3)),
      '，', '。', '附近', '居民反映', '已经好几天了', '😀', 'ABC', '',
    ];
    for (let n = 0; n < 3000; n++) {
      const parts = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pieces[Math.floor(rnd() * pieces.length)]);
      if (rnd() < 0.2) parts.push(parts[0]); // a term twice still counts once
      const text = parts.join(rnd() < 0.5 ? '' : '，');
      const kind = rnd() < 0.3 ? 'suggestion' : 'incident';
      const got = classifier.classify(text, kind);
      const want = reference(text, kind);
      expect(got?.category.code ?? null, text).toBe(want?.category.code ?? null);
      expect(got?.score ?? null, text).toBe(want?.score ?? null);
    }
  });
});
