/**
 * What an imported area's name says about it: its type (街道 / 镇 / 乡 for subdistricts, 社区 / 村 for communities),
 * whether it is urban, and its short name. Sources rarely carry English names; the code stands in for one.
 */
export function subdistrictType(name: string): '街道' | '镇' | '乡' {
  if (name.endsWith('镇')) return '镇';
  if (name.endsWith('乡')) return '乡';
  return '街道';
}

export function communityType(name: string): '社区' | '村' {
  return name.endsWith('村') || name.endsWith('村委会') ? '村' : '社区';
}

export function shortName(name: string): string {
  const s = name.replace(/(街道办事处|街道|社区居委会|社区|村委会|村|镇|乡|区)$/, '');
  return s === '' ? name : s;
}

export const LEVEL_LABEL_EN = { district: 'District', subdistrict: 'Subdistrict', community: 'Community', block: 'Block' } as const;

/** English stand-in: the source's English name when it has one, else the level and the code. */
export function englishName(level: keyof typeof LEVEL_LABEL_EN, code: string, given?: string): string {
  return given && given.trim() !== '' ? given.trim() : `${LEVEL_LABEL_EN[level]} ${code}`;
}
