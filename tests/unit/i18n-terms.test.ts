import { describe, expect, it } from 'vitest';
import { zhCN } from '../../web/i18n/zh-CN.ts';

describe('zh-CN terms', () => {
  it('says 区块 for a block everywhere, never 网格 (the glossary term)', () => {
    expect(Object.entries(zhCN).filter(([, text]) => text.includes('网格')).map(([key]) => key)).toEqual([]);
    expect(zhCN['panel.team']).toContain('区块');
  });
});
