import type { Rng } from '../../domain/prng.ts';

/**
 * Plausible local place names for generated communities, villages and roads, with their pinyin, in the style
 * of Hunan place names (塘, 冲, 坪, 湾 …). They are invented; no real community is meant.
 */
const FIRST: Array<[string, string]> = [
  ['白', 'Bai'], ['青', 'Qing'], ['金', 'Jin'], ['桃', 'Tao'], ['杨', 'Yang'], ['梅', 'Mei'], ['新', 'Xin'],
  ['东', 'Dong'], ['南', 'Nan'], ['西', 'Xi'], ['北', 'Bei'], ['龙', 'Long'], ['凤', 'Feng'], ['长', 'Chang'],
  ['和', 'He'], ['福', 'Fu'], ['安', 'An'], ['兴', 'Xing'], ['建', 'Jian'], ['湖', 'Hu'], ['江', 'Jiang'],
  ['莲', 'Lian'], ['荷', 'He'], ['松', 'Song'], ['竹', 'Zhu'], ['石', 'Shi'], ['云', 'Yun'], ['平', 'Ping'],
  ['泉', 'Quan'], ['华', 'Hua'], ['枫', 'Feng'], ['柳', 'Liu'], ['桂', 'Gui'], ['黄', 'Huang'], ['红', 'Hong'],
  ['太', 'Tai'], ['大', 'Da'], ['小', 'Xiao'], ['高', 'Gao'], ['马', 'Ma'], ['鹤', 'He'], ['雁', 'Yan'],
  ['古', 'Gu'], ['易', 'Yi'], ['楠', 'Nan'], ['银', 'Yin'], ['紫', 'Zi'], ['丰', 'Feng'], ['宝', 'Bao'],
  ['双', 'Shuang'], ['先', 'Xian'], ['韶', 'Shao'], ['岳', 'Yue'], ['万', 'Wan'], ['永', 'Yong'], ['瑞', 'Rui'],
];
const SECOND: Array<[string, string]> = [
  ['塘', 'tang'], ['湾', 'wan'], ['桥', 'qiao'], ['坪', 'ping'], ['冲', 'chong'], ['山', 'shan'], ['园', 'yuan'],
  ['坝', 'ba'], ['岭', 'ling'], ['港', 'gang'], ['洲', 'zhou'], ['林', 'lin'], ['田', 'tian'], ['峰', 'feng'],
  ['湖', 'hu'], ['桥', 'qiao'], ['溪', 'xi'], ['铺', 'pu'], ['岗', 'gang'], ['亭', 'ting'], ['源', 'yuan'],
  ['城', 'cheng'], ['阳', 'yang'], ['光', 'guang'], ['乐', 'le'], ['苑', 'yuan'], ['门', 'men'], ['泰', 'tai'],
];

export interface PlaceName {
  stem: string; // 白塘
  pinyin: string; // Baitang
}

/** Draws names that are unique across everything this namer has given out. */
export class Namer {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng, reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }

  next(): PlaceName {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const [a, pa] = this.rng.pick(FIRST);
      const [b, pb] = this.rng.pick(SECOND);
      if (a === b) continue;
      const stem = a + b;
      if (this.used.has(stem)) continue;
      this.used.add(stem);
      return { stem, pinyin: pa + pb };
    }
    throw new Error('place-name pool exhausted');
  }
}
