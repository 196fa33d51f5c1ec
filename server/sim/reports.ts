/**
 * What a report says, as in the seeded history at its plateau: kind (incident / demand / suggestion), channel, the
 * category by kind × season × weekend × night (the history's category profiles and factors), a hotspot's own
 * categories, urgency, the text from the category's phrases and the reporter. Pure.
 */
import { CATEGORY_PROFILES, nightFactor, seasonalFactor, weekendFactor } from '../db/seed/category-profiles.ts';
import { randomSurname } from '../db/seed/names.ts';
import { WeightedTable, type Rng } from '../domain/prng.ts';
import { TAXONOMY, type Category, type Taxonomy } from '../contract/taxonomy.ts';
import type { Place } from './places.ts';
import { isNight, localParts } from './rhythm.ts';

export type Kind = 'demand' | 'suggestion' | 'incident';
export type Channel = 'patrol' | 'hotline' | 'wechat' | 'consultation' | 'walk-in';

export interface ReportDraft {
  kind: Kind;
  channel: Channel;
  category: string;
  priority: 'normal' | 'urgent';
  text: string;
  reporter: string;
  lon: number;
  lat: number;
  blockCode: string;
  subdistrictCode: string;
  hotspot: string | null;
  /** A second report of a case reported a little earlier (the dispatcher rejects it as a duplicate). */
  duplicate: boolean;
}

/** Kind mix of the history once the reform has ramped up (suggestions 28 %, demands 30 %, incidents 42 %). */
export const KIND_WEIGHTS: Readonly<Record<Kind, number>> = { suggestion: 0.28, demand: 0.3, incident: 0.42 };
/** Share of suggestions and demands raised at resident consultation meetings (民情恳谈). */
export const CONSULTATION_SHARE: Readonly<Record<Kind, number>> = { suggestion: 0.6, demand: 0.3, incident: 0 };
/** The other channels by kind (patrols find incidents; residents call, message or walk in). */
export const CHANNEL_MIX: Readonly<Record<Kind, readonly [readonly Channel[], readonly number[]]>> = {
  incident: [['patrol', 'hotline', 'wechat'], [80, 12, 8]],
  demand: [['hotline', 'wechat', 'walk-in'], [45, 40, 15]],
  suggestion: [['wechat', 'hotline', 'walk-in'], [50, 20, 30]],
};
/** Chance that a report repeats a recent one (a second caller about the same thing). */
export const DUPLICATE_SHARE = 0.03;

const KINDS: Kind[] = ['suggestion', 'demand', 'incident'];

/** Category by kind, month, weekend and night, with the history's weights. */
export class CategoryPicker {
  private readonly cache = new Map<string, { table: WeightedTable; cats: Category[] }>();
  constructor(private readonly taxonomy: Taxonomy = TAXONOMY) {}
  pick(rng: Rng, kind: Kind, month: number, weekend: boolean, night: boolean): Category {
    const key = `${kind}|${month}|${weekend ? 1 : 0}|${night ? 1 : 0}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const cats = this.taxonomy.categories.filter((c) => (CATEGORY_PROFILES[c.code]?.[kind] ?? (kind === 'suggestion' ? 0 : 1)) > 0);
      const weights = cats.map(
        (c) =>
          (CATEGORY_PROFILES[c.code]?.[kind] ?? 1) *
          seasonalFactor(c.code, month) *
          (weekend ? weekendFactor(c.code) : 1) *
          (night ? nightFactor(c.code) : 1),
      );
      entry = { table: new WeightedTable(weights), cats };
      this.cache.set(key, entry);
    }
    return entry.cats[entry.table.pickIndex(rng)];
  }
}

export interface ReportContext {
  /** Simulated time of the report (epoch ms). */
  at: number;
  place: Place;
  /** Names of the block's governor and assistants (who patrol it); empty when unknown. */
  patrollers: readonly string[];
  picker: CategoryPicker;
  taxonomy?: Taxonomy;
}

/** Draws one report at a place. */
export function draftReport(rng: Rng, ctx: ReportContext): ReportDraft {
  const taxonomy = ctx.taxonomy ?? TAXONOMY;
  const { month, weekday } = localParts(ctx.at);
  const weekend = weekday === 0 || weekday === 6;
  const night = isNight(ctx.at);
  const place = ctx.place;

  const kind = rng.weighted(KINDS, KINDS.map((k) => KIND_WEIGHTS[k]));
  let channel: Channel;
  if (rng.chance(CONSULTATION_SHARE[kind])) channel = 'consultation';
  else {
    const [list, w] = CHANNEL_MIX[kind];
    channel = rng.weighted(list, w);
  }
  if (channel === 'patrol' && ctx.patrollers.length === 0) channel = 'hotline';

  let category: Category;
  const hotspotCats = place.hotspot?.categories.map((c) => taxonomy.byCode.get(c)).filter((c): c is Category => c !== undefined) ?? [];
  if (hotspotCats.length > 0 && kind !== 'suggestion' && rng.chance(0.85)) category = rng.pick(hotspotCats);
  else category = ctx.picker.pick(rng, kind, month, weekend, night);
  if (kind === 'incident' && category.majorCode === '05' && channel === 'patrol' && rng.chance(0.5)) channel = 'hotline';

  const major = category.majorCode;
  const urgent =
    major === '05' ? rng.chance(0.85) : major === '09' ? rng.chance(0.2) : category.code === '0702' ? rng.chance(0.3) : rng.chance(0.03);

  const options = [`${place.communityName}${rng.int(1, 30)}栋`];
  if (place.roadName) options.push(place.roadName, `${place.communityName}${place.roadName}段`);
  const where = rng.pick(options);
  const profile = CATEGORY_PROFILES[category.code];
  const text = profile && profile.texts.length > 0 ? rng.pick(profile.texts).replace('{p}', where) : `${where}${category.name}`;

  let reporter: string;
  if (channel === 'patrol') reporter = rng.pick(ctx.patrollers);
  else if (channel === 'consultation') reporter = `民情恳谈会（${place.communityName}）`;
  else reporter = `${randomSurname(rng)}${rng.chance(0.5) ? '女士' : '先生'}`;

  return {
    kind, channel, category: category.code, priority: urgent ? 'urgent' : 'normal', text, reporter,
    lon: place.lon, lat: place.lat, blockCode: place.blockCode, subdistrictCode: place.subdistrictCode,
    hotspot: place.hotspot?.id ?? null, duplicate: false,
  };
}

/**
 * A duplicate of an earlier report: the same place, category and kind, told by another resident by phone or the
 * app. The dispatcher will reject it as a duplicate.
 */
export function duplicateOf(rng: Rng, original: ReportDraft): ReportDraft {
  const channel: Channel = rng.chance(0.6) ? 'hotline' : 'wechat';
  return {
    ...original,
    channel,
    reporter: `${randomSurname(rng)}${rng.chance(0.5) ? '女士' : '先生'}`,
    text: `${original.text}（再次反映）`,
    duplicate: true,
  };
}

/** The body of POST /api/events for a draft. */
export function reportBody(d: ReportDraft, idempotencyKey?: string): Record<string, unknown> {
  return {
    category: d.category, text: d.text, lon: d.lon, lat: d.lat, channel: d.channel, kind: d.kind, priority: d.priority,
    reporter: d.reporter, ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}
