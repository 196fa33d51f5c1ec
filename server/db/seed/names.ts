/**
 * Plausible Chinese personal names and mobile numbers for the demo staff.
 * Surname weights follow the published national frequency ranking (percent of population, rounded);
 * given names are one or two characters drawn from common naming characters.
 */
import { WeightedTable, type Rng } from '../../domain/prng.ts';

const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 7.12], ['李', 7.0], ['张', 6.74], ['刘', 5.38], ['陈', 4.53], ['杨', 3.08], ['黄', 2.23], ['赵', 2.19],
  ['吴', 2.05], ['周', 1.91], ['徐', 1.47], ['孙', 1.44], ['马', 1.29], ['朱', 1.26], ['胡', 1.15], ['郭', 1.1],
  ['何', 1.04], ['林', 0.99], ['罗', 0.93], ['高', 0.93], ['郑', 0.82], ['梁', 0.82], ['谢', 0.7], ['宋', 0.66],
  ['唐', 0.64], ['许', 0.63], ['韩', 0.61], ['邓', 0.6], ['冯', 0.59], ['曹', 0.57], ['彭', 0.56], ['曾', 0.54],
  ['肖', 0.54], ['田', 0.52], ['董', 0.5], ['潘', 0.48], ['袁', 0.47], ['蔡', 0.46], ['蒋', 0.45], ['余', 0.44],
  ['于', 0.43], ['杜', 0.42], ['叶', 0.42], ['程', 0.41], ['魏', 0.39], ['苏', 0.38], ['吕', 0.37], ['丁', 0.36],
  ['任', 0.36], ['卢', 0.35], ['姚', 0.34], ['沈', 0.34], ['钟', 0.34], ['姜', 0.33], ['崔', 0.32], ['谭', 0.5],
  ['陆', 0.3], ['范', 0.3], ['汪', 0.3], ['廖', 0.29], ['石', 0.29], ['金', 0.28], ['韦', 0.27], ['贾', 0.27],
  ['夏', 0.26], ['付', 0.26], ['方', 0.25], ['邹', 0.25], ['熊', 0.24], ['白', 0.23], ['孟', 0.23], ['秦', 0.23],
  ['邱', 0.23], ['侯', 0.22], ['江', 0.22], ['尹', 0.21], ['薛', 0.21], ['闫', 0.2], ['段', 0.2], ['雷', 0.2],
  ['龙', 0.19], ['黎', 0.19], ['史', 0.19], ['陶', 0.18], ['贺', 0.28], ['毛', 0.18], ['郝', 0.17], ['顾', 0.17],
  ['龚', 0.17], ['邵', 0.16], ['万', 0.16], ['覃', 0.16], ['武', 0.16], ['钱', 0.16], ['戴', 0.16], ['严', 0.15],
  ['欧阳', 0.08], ['莫', 0.15], ['孔', 0.15], ['向', 0.14], ['常', 0.14], ['易', 0.14], ['文', 0.14], ['左', 0.1],
];

const MALE_CHARS =
  '伟强军勇杰涛明超辉刚平志华建国海波鹏宇浩俊峰磊斌东亮林成康健文武斌飞龙翔凯博晨阳旭刚鑫豪毅坤宏新春德胜'.split('');
const FEMALE_CHARS =
  '芳娜敏静丽艳娟霞玲秀英华燕萍红梅琳婷雪颖洁慧晶倩蓉莉琴云兰凤佳怡欣悦瑶璐雯思嘉珊丹桂彤'.split('');
const NEUTRAL_CHARS = '文晓子梓一雨欣宇嘉思俊明云春秋新安佳乐书'.split('');

const surnameTable = new WeightedTable(SURNAMES.map(([, w]) => w));

export type Gender = 'F' | 'M';

/** A 2- or 3-character name (surname + 1 or 2 given characters; compound surnames give 3–4). */
export function randomName(rng: Rng, gender: Gender): string {
  const surname = SURNAMES[surnameTable.pickIndex(rng)][0];
  const pool = gender === 'M' ? MALE_CHARS : FEMALE_CHARS;
  // Roughly a third of adults in this age band carry single-character given names.
  if (rng.next() < 0.32) return surname + rng.pick(pool);
  const first = rng.next() < 0.3 ? rng.pick(NEUTRAL_CHARS) : rng.pick(pool);
  let second = rng.pick(pool);
  if (second === first) second = rng.pick(pool);
  return surname + first + second;
}

/** A name not yet in `taken` (which is updated). */
export function uniqueName(rng: Rng, gender: Gender, taken: Set<string>): string {
  for (let i = 0; i < 50; i++) {
    const n = randomName(rng, gender);
    if (!taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
  throw new Error('could not find an unused name');
}

const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
  '191', '193', '195', '198', '199',
] as const;

/** An 11-digit mainland mobile number not yet in `taken` (which is updated). */
export function uniqueMobile(rng: Rng, taken: Set<string>): string {
  for (;;) {
    let n: string = rng.pick(MOBILE_PREFIXES);
    for (let i = 0; i < 8; i++) n += String(rng.int(0, 9));
    if (!taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
}

/** A surname alone (for residents named as 王女士 / 李先生). */
export function randomSurname(rng: Rng): string {
  return SURNAMES[surnameTable.pickIndex(rng)][0];
}
