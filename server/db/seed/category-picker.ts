/** The category of a demo report: by kind, season, weekend and night (summer noise and garbage, plum-rain waterlogging, winter gas). */
import type { Category, Taxonomy } from '../../contract/taxonomy.ts';
import { WeightedTable, type Rng } from '../../domain/prng.ts';
import { CATEGORY_PROFILES, nightFactor, seasonalFactor, weekendFactor } from './category-profiles.ts';
import type { Kind } from '../../domain/report-input.ts';

/** Categories by kind, month, weekend and night, from the category profiles; one weighted table per combination. */
export class CategoryPicker {
  private readonly cache = new Map<string, { table: WeightedTable; cats: Category[] }>();
  constructor(private readonly taxonomy: Taxonomy) {}
  pick(rng: Rng, kind: Kind, month: number, weekend: boolean, night: boolean): Category {
    const key = `${kind}|${month}|${weekend ? 1 : 0}|${night ? 1 : 0}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const cats = this.taxonomy.categories.filter((c) => (CATEGORY_PROFILES[c.code]?.[kind] ?? (kind === 'suggestion' ? 0 : 1)) > 0);
      const weights = cats.map((c) => {
        const base = CATEGORY_PROFILES[c.code]?.[kind] ?? 1;
        return base * seasonalFactor(c.code, month) * (weekend ? weekendFactor(c.code) : 1) * (night ? nightFactor(c.code) : 1);
      });
      entry = { table: new WeightedTable(weights), cats };
      this.cache.set(key, entry);
    }
    return entry.cats[entry.table.pickIndex(rng)];
  }
}
