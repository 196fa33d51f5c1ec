/**
 * Every message kind as the robots get it (Chinese markdown within WeCom's 4,096 bytes), storm digests packed to
 * fit, and the wire: WeCom's body, DingTalk's 加签 (checked against a value computed outside this code base),
 * Standard Webhooks signatures (checked with the spec's own library), and what each robot's answer means.
 */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  clip, duration, MAX_MARKDOWN_BYTES, packBatches, plain, render, shortTime, type BatchItem, type CaseNoticeFacts, type DigestFacts,
} from '../../server/notify/render.ts';
import { buildRequest, dingTalkSign, interpret } from '../../server/notify/wire.ts';

const AT = Date.parse('2026-12-04T15:00:00+08:00');
const HOUR = 3_600_000;

const base: Omit<CaseNoticeFacts, 'kind' | 'transition'> = {
  eventId: 42, caseNo: 'YH20261204-0042', category: '私搭乱建', categoryCode: '0101', priority: 'normal',
  place: '广场街道 · 窑湾社区 · 窑湾003', text: '楼顶加盖**彩钢棚**，#邻居投诉', lon: 112.91, lat: 27.86,
  dueAt: AT + 2 * HOUR + 15 * 60_000, tier: 'block', unit: null, assignee: { name: '李明', phone: '13800000001' }, at: AT,
};
const opts = { id: 7, publicUrl: 'https://gezhi.example.gov.cn' };
const bytes = (s: string) => Buffer.byteLength(s);

describe('message texts', () => {
  it('派遣: case, place, handler, deadline with time left, route and the console link', () => {
    const m = render({ ...base, kind: 'dispatch', transition: 'dispatch', route: { etaSeconds: 540, distanceMetres: 2345 } }, opts);
    expect(m.title).toBe('派遣：YH20261204-0042 私搭乱建');
    expect(m.markdown).toContain('> 地点：广场街道 · 窑湾社区 · 窑湾003');
    expect(m.markdown).toContain('> 处置人：李明（13800000001）');
    expect(m.markdown).toContain('> 层级：家事自办');
    expect(m.markdown).toContain('> 处置时限：**12-04 17:15**（剩 2 小时 15 分）');
    expect(m.markdown).toContain('> 路线：约 9 分钟，2.3 公里');
    expect(m.markdown).toContain('[查看案件与路线](https://gezhi.example.gov.cn/ops?case=42)');
    expect(m.link).toBe('https://gezhi.example.gov.cn/ops?case=42');
    expect(m.markdown).toContain('格治 · 通知 #7');
    // Reporter text cannot open markup in the group
    expect(m.markdown).toContain('> 内容：楼顶加盖 彩钢棚 ， 邻居投诉');
  });

  it('预警 says the time left; 超期 how long past; 核查超期 the verification deadline', () => {
    const w = render({ ...base, kind: 'warning', transition: 'warning', at: AT + 2 * HOUR }, opts);
    expect(w.title).toBe('预警：YH20261204-0042 私搭乱建');
    expect(w.markdown).toContain('> 处置时限：**12-04 17:15**，剩余 **15 分**');
    const b = render({ ...base, kind: 'breach', transition: 'breach', at: AT + 5 * HOUR }, opts);
    expect(b.title).toBe('超期：YH20261204-0042 私搭乱建');
    expect(b.markdown).toContain('已超期 **2 小时 45 分**');
    const v = render({ ...base, kind: 'breach', transition: 'verify-breach', at: AT + 30 * HOUR, verifyDueAt: AT + 6 * HOUR }, opts);
    expect(v.markdown).toContain('> 环节：核查超期（已处置，待核查结案）');
    expect(v.markdown).toContain('> 核查时限：**12-04 21:00**，已超 **1 天**');
  });

  it('升级督办 and 返工 carry the step and the reason', () => {
    const e = render({ ...base, kind: 'escalation', transition: 'urge', tier: 'department', unit: '城管执法中队', reason: '群众多次反映' }, opts);
    expect(e.title).toBe('升级督办：YH20261204-0042 私搭乱建');
    expect(e.markdown).toContain('> 环节：督办（大事公办）');
    expect(e.markdown).toContain('> 督办意见：群众多次反映');
    const up = render({ ...base, kind: 'escalation', transition: 'escalate', tier: 'centre' }, opts);
    expect(up.markdown).toContain('> 环节：升级（小事共办）');
    const r = render({ ...base, kind: 'rework', transition: 'rework', reason: '照片不清' }, opts);
    expect(r.title).toBe('返工：YH20261204-0042 私搭乱建');
    expect(r.markdown).toContain('> 环节：核查未通过·返工');
    expect(r.markdown).toContain('> 原因：照片不清');
    const redo = render({ ...base, kind: 'rework', transition: 'revisit', reason: '又堆起来了' }, opts);
    expect(redo.markdown).toContain('> 环节：回访不满意·重办');
  });

  it('每日汇总 gives the scope figures and the most overdue cases', () => {
    const d: DigestFacts = {
      kind: 'digest', scopeName: '广场街道', day: '2026-12-04', at: AT, open: 31, overdue: 4, warned: 6, dueToday: 3,
      reportedToday: 12, closedToday: 9, worst: [{ eventId: 3, caseNo: 'YH20261201-0003', category: '占道经营', place: '广场街道 · 窑湾001', dueAt: AT - 50 * HOUR }],
    };
    const m = render(d, opts);
    expect(m.title).toBe('每日汇总：广场街道 2026-12-04');
    expect(m.markdown).toContain('> 在办 **31** 件，超期 **4** 件，预警 **6** 件');
    expect(m.markdown).toContain('> 今日到期 3 件；今日新报 12 件，今日结案 9 件');
    expect(m.markdown).toContain('- YH20261201-0003 占道经营 · 广场街道 · 窑湾001，超 2 天 2 小时');
  });

  it('a resend after a crash says it may repeat', () => {
    const m = render({ ...base, kind: 'dispatch', transition: 'dispatch' }, { id: 9, redelivery: true });
    expect(m.title).toBe('派遣：YH20261204-0042 私搭乱建（重发，可能重复）');
    expect(m.markdown).toContain('通知 #9（重发，可能重复）');
    expect(m.markdown.split('\n')[0]).toBe('### 派遣：YH20261204-0042 私搭乱建（重发，可能重复）');
    expect(m.link).toBeNull();
  });

  it('a storm of 500 packs into digests that each fit 4,096 bytes and keep every case once', () => {
    const items: BatchItem[] = Array.from({ length: 500 }, (_, i) => ({
      id: 1000 + i, kind: i % 3 ? 'escalation' : 'breach', transition: i % 3 ? 'urge' : 'breach', eventId: i,
      caseNo: `YH20261204-${String(i).padStart(4, '0')}`, category: '占道经营', place: '广场街道 · 窑湾社区 · 窑湾003', dueAt: AT, at: AT,
    }));
    const parts = packBatches(items);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.length).toBeLessThan(20);
    expect(parts.flat().map((i) => i.id)).toEqual(items.map((i) => i.id));
    parts.forEach((p, k) => {
      const m = render({ kind: 'batch', items: p, part: k + 1, parts: parts.length, total: 500 }, opts);
      expect(bytes(m.markdown)).toBeLessThanOrEqual(MAX_MARKDOWN_BYTES);
      expect(m.markdown).not.toContain('截断');
      for (const i of p) expect(m.markdown).toContain(i.caseNo);
      expect(m.markdown).toContain(`### 消息合并（${k + 1}/${parts.length}）：${p.length} 条`);
    });
  });

  it('helpers: Shanghai time, durations, inert text, clipping at a line end', () => {
    expect(shortTime(Date.parse('2026-12-31T16:05:00Z'))).toBe('01-01 00:05');
    expect(duration(59_999)).toBe('0 分');
    expect(duration(26 * HOUR + 60_000)).toBe('1 天 2 小时');
    expect(plain('a\n[b](c) <font>', 100)).toBe('a b (c) font');
    const long = Array.from({ length: 400 }, (_, i) => `- 第 ${i} 行 中文内容`).join('\n') + '\n尾注';
    const c = clip(long);
    expect(bytes(c)).toBeLessThanOrEqual(MAX_MARKDOWN_BYTES);
    expect(c.endsWith('…（内容过长已截断）\n尾注')).toBe(true);
  });
});

describe('wire formats', () => {
  const msg = render({ ...base, kind: 'dispatch', transition: 'dispatch' }, opts);
  const meta = { id: 7, kind: 'dispatch' as const, createdAt: '2026-12-04T15:00:00.000+08:00', redelivery: false, facts: { eventId: 42 } };

  it('WeCom: a markdown message to the robot URL as given', () => {
    const req = buildRequest({ kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc', secret: null }, msg, meta, AT);
    expect(req.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc');
    expect(JSON.parse(req.body)).toEqual({ msgtype: 'markdown', markdown: { content: msg.markdown } });
  });

  it('DingTalk: 加签 as the documented algorithm computes it, an actionCard when there is a link', () => {
    // base64(HMAC-SHA256("SECtest0123456789", "1733300000000\nSECtest0123456789")), computed with Python's hmac
    expect(dingTalkSign('SECtest0123456789', 1733300000000)).toBe('Mq7mksSTY7I7soAOqccAsW+N/pd+6a/7Cr7oa/OeJiA=');
    const req = buildRequest({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=tok', secret: 'SECtest0123456789' }, msg, meta, 1733300000000);
    expect(req.url).toBe('https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1733300000000&sign=Mq7mksSTY7I7soAOqccAsW%2BN%2Fpd%2B6a%2F7Cr7oa%2FOeJiA%3D');
    expect(JSON.parse(req.body)).toEqual({
      msgtype: 'actionCard', actionCard: { title: msg.title, text: msg.markdown, singleTitle: '查看详情', singleURL: 'https://gezhi.example.gov.cn/ops?case=42' },
    });
    const noLink = render({ ...base, kind: 'warning', transition: 'warning' }, { id: 8 });
    expect(JSON.parse(buildRequest({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=tok', secret: 'SECx' }, noLink, meta, AT).body))
      .toEqual({ msgtype: 'markdown', markdown: { title: noLink.title, text: noLink.markdown } });
  });

  it('webhook: Standard Webhooks headers that the spec library verifies, the same id on every attempt', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sent = Date.now(); // the verifier allows five minutes of clock difference
    const req = buildRequest({ kind: 'webhook', url: 'https://hooks.example.gov.cn/gezhi', secret }, msg, meta, sent);
    expect(req.headers['webhook-id']).toBe('gezhi-notification-7');
    expect(req.headers['Idempotency-Key']).toBe('gezhi-notification-7');
    expect(req.headers['webhook-timestamp']).toBe(String(Math.floor(sent / 1000)));
    const payload = new Webhook(secret).verify(req.body, req.headers) as Record<string, unknown>;
    expect(payload).toMatchObject({ id: 'gezhi-notification-7', type: 'dispatch', title: msg.title, redelivery: false, facts: { eventId: 42 } });
    expect(() => new Webhook('whsec_' + Buffer.from('another secret!!').toString('base64')).verify(req.body, req.headers)).toThrow();
    const again = buildRequest({ kind: 'webhook', url: 'https://hooks.example.gov.cn/gezhi', secret }, msg, { ...meta, redelivery: true }, sent + 60_000);
    expect(again.headers['webhook-id']).toBe(req.headers['webhook-id']);
  });

  it('answers: ok, the robots\' rate-limit codes, other errors', () => {
    expect(interpret('wecom', 200, '{"errcode":0,"errmsg":"ok"}', null)).toMatchObject({ ok: true });
    expect(interpret('wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', null)).toMatchObject({ ok: false, rateLimited: true });
    expect(interpret('dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}', null)).toMatchObject({ ok: false, rateLimited: true, retryAfterMs: 600_000 });
    expect(interpret('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', null)).toMatchObject({ ok: false, rateLimited: false, detail: 'errcode 310000 sign not match' });
    expect(interpret('wecom', 502, 'bad gateway', null)).toMatchObject({ ok: false, rateLimited: false, status: 502 });
    expect(interpret('webhook', 204, '', null)).toMatchObject({ ok: true });
    expect(interpret('webhook', 429, '', '30')).toMatchObject({ ok: false, rateLimited: true, retryAfterMs: 30_000 });
  });
});
