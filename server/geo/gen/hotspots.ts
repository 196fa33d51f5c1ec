import type { Km } from './layout.ts';

/**
 * Planted problem areas: where the seeded history carries extra cases of a few categories, with a higher share
 * running late. Analysis features (hotspots, clusters) are tested against these. Positions are in kilometres
 * east/north of the district seat; each hotspot is centred on the block nearest that point.
 */
export interface HotspotPlan {
  id: string;
  at: Km;
  radiusM: number;
  intensity: number;
  categories: string[];
  description: string;
}

export const HOTSPOT_PLANS: readonly HotspotPlan[] = [
  {
    id: 'old-town-market',
    at: [-2.5, -0.8],
    radiusM: 450,
    intensity: 6,
    categories: ['0501', '0504', '5105'],
    description: '城正街老城菜市场周边：无照经营游商、店外经营、噪声扰民集中，超期多',
  },
  {
    id: 'riverside-dumping',
    at: [-4.3, -2.1],
    radiusM: 500,
    intensity: 5,
    categories: ['0102', '0507', '1305'],
    description: '窑湾沿江地段：暴露垃圾、乱堆物堆料、垃圾箱满溢反复出现',
  },
  {
    id: 'urban-village-safety',
    at: [-5.0, 1.9],
    radiusM: 550,
    intensity: 5,
    categories: ['0101', '5403', '5206'],
    description: '昭潭城中村片区：私搭乱建、电线私拉乱接、飞线充电等安全隐患',
  },
  {
    id: 'new-estate-property',
    at: [2.9, 1.9],
    radiusM: 400,
    intensity: 4,
    categories: ['5201', '5202', '5205'],
    description: '万楼新建小区：物业服务投诉、电梯故障、二次供水问题',
  },
  {
    id: 'rural-burning',
    at: [-14.4, 6.2],
    radiusM: 1200,
    intensity: 4,
    categories: ['5701', '0102'],
    description: '姜畲镇集镇周边：焚烧垃圾树叶、暴露垃圾（秋冬季多发）',
  },
];
