/**
 * The text of every message, in Chinese, as markdown both robots accept (WeCom's group robot and DingTalk's custom
 * robot share headings, bold, quotes, links and line breaks; neither takes tables). Pure: a message is a function of
 * the facts stored with its outbox row, so a resend says exactly what the first attempt said.
 */
import { hasDeadline } from '../contract/deadline.ts';
import { SHANGHAI_OFFSET_MS } from '../time.ts';

/** Kinds of message a channel can take (`batch` is the storm digest the worker makes itself). */
export const MESSAGE_KINDS = ['dispatch', 'warning', 'breach', 'escalation', 'rework', 'digest'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type NotificationKind = MessageKind | 'batch';

/** What a message about one case says of it, read in the transaction that wrote the change. */
export interface CaseFacts {
  eventId: number;
  caseNo: string;
  category: string;
  categoryCode: string;
  priority: string;
  /** 街道 · 社区 · 区块 */
  place: string;
  text: string;
  lon: number;
  lat: number;
  dueAt: number;
  tier: string;
  unit: string | null;
  assignee: { name: string; phone: string } | null;
}

export interface CaseNoticeFacts extends CaseFacts {
  kind: Exclude<MessageKind, 'digest'>;
  /** The transition or sweep step: dispatch, reassign, warning, breach, verify-breach, escalate, urge, rework, revisit. */
  transition: string;
  at: number;
  reason?: string | null;
  /** dispatch: the route the responder was sent on. */
  route?: { etaSeconds: number; distanceMetres: number } | null;
  /** verify-breach: the verification deadline that passed. */
  verifyDueAt?: number | null;
}

export interface DigestFacts {
  kind: 'digest';
  scopeName: string;
  /** The local day it reports, YYYY-MM-DD (Asia/Shanghai). */
  day: string;
  at: number;
  open: number;
  overdue: number;
  warned: number;
  dueToday: number;
  reportedToday: number;
  closedToday: number;
  /** The most overdue open cases, worst first. */
  worst: { eventId: number; caseNo: string; category: string; place: string; dueAt: number }[];
}

/** One line of a storm digest. */
export interface BatchItem {
  id: number;
  kind: Exclude<MessageKind, 'digest'>;
  transition: string;
  eventId: number;
  caseNo: string;
  category: string;
  place: string;
  dueAt: number;
  at: number;
}

export interface BatchFacts {
  kind: 'batch';
  items: BatchItem[];
  /** Part n of the parts made from one storm, and how many notifications the storm folded in all. */
  part: number;
  parts: number;
  total: number;
}

export type NotificationFacts = CaseNoticeFacts | DigestFacts | BatchFacts;

export interface RenderOptions {
  /** Base URL of the web app as staff reach it (links go to the console); none, no links. */
  publicUrl?: string;
  /** The outbox row's id (printed, so a resend can be told apart from a new message). */
  id: number;
  /** A send after one the process died in: the robot may have shown the first. */
  redelivery?: boolean;
}

export interface RenderedMessage {
  title: string;
  markdown: string;
  /** The console link of the message, when there is one. */
  link: string | null;
}

/** WeCom's markdown content limit (bytes, UTF-8); DingTalk takes more, one limit keeps both safe. */
export const MAX_MARKDOWN_BYTES = 4096;

const TIER: Record<string, string> = { block: '家事自办', centre: '小事共办', department: '大事公办' };
const TITLE: Record<Exclude<MessageKind, 'digest'>, string> = {
  dispatch: '派遣', warning: '预警', breach: '超期', escalation: '升级督办', rework: '返工',
};
const STEP: Record<string, string> = {
  dispatch: '派遣', reassign: '流转', warning: '预警', breach: '处置超期', 'verify-breach': '核查超期', escalate: '升级',
  urge: '督办', rework: '核查未通过·返工', revisit: '回访不满意·重办',
};

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 12-04 17:30, Asia/Shanghai. */
export function shortTime(ms: number): string {
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 2 小时 5 分 / 3 天 4 小时 / 12 分 (natural time, rounded down to the minute). */
export function duration(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
  if (d > 0) return h > 0 ? `${d} 天 ${h} 小时` : `${d} 天`;
  if (h > 0) return mm > 0 ? `${h} 小时 ${mm} 分` : `${h} 小时`;
  return `${mm} 分`;
}

/** Markdown-inert text: one line, no characters that open markup in either robot. */
export function plain(text: string, max = 80): string {
  const one = text.replace(/[\r\n\t]+/g, ' ').replace(/[*_`#>[\]<]/g, ' ').replace(/ {2,}/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function caseLink(publicUrl: string | undefined, eventId: number): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/ops?case=${eventId}` : null;
}

function deadline(dueAt: number): string {
  return hasDeadline(dueAt) ? shortTime(dueAt) : '无时限';
}

function caseNotice(f: CaseNoticeFacts, o: RenderOptions): RenderedMessage {
  const link = caseLink(o.publicUrl, f.eventId);
  const urgent = f.priority === 'urgent' ? '【紧急】' : '';
  const title = `${urgent}${TITLE[f.kind]}：${f.caseNo} ${f.category}`;
  const lines = [`### ${title}`];
  const step = STEP[f.transition] ?? f.transition;
  lines.push(`> 地点：${plain(f.place)}`, `> 内容：${plain(f.text)}`);
  const who = f.assignee ? `${plain(f.assignee.name, 20)}（${plain(f.assignee.phone, 20)}）` : '待指派';
  const left = f.dueAt - f.at;
  switch (f.kind) {
    case 'dispatch':
      lines.push(`> 处置人：${who}${f.unit ? ` · ${plain(f.unit, 30)}` : ''}`, `> 层级：${TIER[f.tier] ?? f.tier}`);
      lines.push(`> 处置时限：**${deadline(f.dueAt)}**${hasDeadline(f.dueAt) && left > 0 ? `（剩 ${duration(left)}）` : ''}`);
      if (f.route) lines.push(`> 路线：约 ${Math.max(1, Math.round(f.route.etaSeconds / 60))} 分钟，${(f.route.distanceMetres / 1000).toFixed(1)} 公里`);
      if (f.transition === 'reassign') lines.push(`> 环节：${step}`);
      break;
    case 'warning':
      lines.push(`> 处置人：${who}`, `> 处置时限：**${deadline(f.dueAt)}**，剩余 **${duration(left)}**`);
      break;
    case 'breach':
      if (f.transition === 'verify-breach' && f.verifyDueAt) {
        lines.push('> 环节：核查超期（已处置，待核查结案）', `> 核查时限：**${shortTime(f.verifyDueAt)}**，已超 **${duration(f.at - f.verifyDueAt)}**`);
      } else {
        lines.push(`> 处置人：${who}`, `> 处置时限：**${deadline(f.dueAt)}**，已超期${left < 0 ? ` **${duration(-left)}**` : ''}`);
      }
      break;
    case 'escalation':
      lines.push(`> 环节：${step}（${TIER[f.tier] ?? f.tier}）`, `> 处置人：${who}${f.unit ? ` · ${plain(f.unit, 30)}` : ''}`);
      if (f.reason) lines.push(`> 督办意见：${plain(f.reason)}`);
      lines.push(`> 处置时限：${deadline(f.dueAt)}`);
      break;
    case 'rework':
      lines.push(`> 环节：${step}`, `> 处置人：${who}`);
      if (f.reason) lines.push(`> 原因：${plain(f.reason)}`);
      lines.push(`> 处置时限：**${deadline(f.dueAt)}**`);
      break;
  }
  if (link) lines.push('', `[查看案件与路线](${link})`);
  return finish(title, lines, link, o);
}

function digest(f: DigestFacts, o: RenderOptions): RenderedMessage {
  const link = o.publicUrl ? `${o.publicUrl.replace(/\/+$/, '')}/ops` : null;
  const title = `每日汇总：${plain(f.scopeName, 40)} ${f.day}`;
  const lines = [
    `### ${title}`,
    `> 在办 **${f.open}** 件，超期 **${f.overdue}** 件，预警 **${f.warned}** 件`,
    `> 今日到期 ${f.dueToday} 件；今日新报 ${f.reportedToday} 件，今日结案 ${f.closedToday} 件`,
  ];
  if (f.worst.length) {
    lines.push('', '**超期最久**');
    for (const w of f.worst) lines.push(`- ${w.caseNo} ${plain(w.category, 16)} · ${plain(w.place, 40)}，超 ${duration(f.at - w.dueAt)}`);
  }
  if (link) lines.push('', `[打开调度台](${link})`);
  return finish(title, lines, link, o);
}

/** One line of a storm digest. */
export function batchLine(i: BatchItem): string {
  return `- ${STEP[i.transition] ?? TITLE[i.kind]} ${i.caseNo} ${plain(i.category, 12)} · ${plain(i.place, 30)} · 时限 ${deadline(i.dueAt)}`;
}

function batchHead(f: Pick<BatchFacts, 'part' | 'parts' | 'total'>, count: number): string[] {
  const part = f.parts > 1 ? `（${f.part}/${f.parts}）` : '';
  return [`### 消息合并${part}：${count} 条`, `> 消息过密（机器人限 20 条/分钟），本时段 ${f.total} 条合并发送`];
}

function batch(f: BatchFacts, o: RenderOptions): RenderedMessage {
  const link = o.publicUrl ? `${o.publicUrl.replace(/\/+$/, '')}/ops` : null;
  const lines = [...batchHead(f, f.items.length), ...f.items.map(batchLine)];
  if (link) lines.push('', `[打开调度台](${link})`);
  return finish(`消息合并：${f.items.length} 条`, lines, link, o);
}

function finish(title: string, lines: string[], link: string | null, o: RenderOptions): RenderedMessage {
  const resent = o.redelivery ? '（重发，可能重复）' : '';
  if (resent && lines[0]?.startsWith('### ')) lines[0] += resent; // the heading is what the group reads first
  lines.push(`<font color="comment">格治 · 通知 #${o.id}${resent}</font>`);
  return { title: `${title}${resent}`, markdown: clip(lines.join('\n')), link };
}

/** Cuts a text to MAX_MARKDOWN_BYTES at a line end, marking the cut. */
export function clip(text: string, max = MAX_MARKDOWN_BYTES): string {
  if (Buffer.byteLength(text) <= max) return text;
  const lines = text.split('\n');
  const tail = lines.pop()!;
  const more = '…（内容过长已截断）';
  while (lines.length && Buffer.byteLength([...lines, more, tail].join('\n')) > max) lines.pop();
  return [...lines, more, tail].join('\n');
}

/** The message of an outbox row's facts. */
export function render(facts: NotificationFacts, options: RenderOptions): RenderedMessage {
  if (facts.kind === 'digest') return digest(facts, options);
  if (facts.kind === 'batch') return batch(facts, options);
  return caseNotice(facts, options);
}

/**
 * Splits the items of a storm into as few digests as fit the markdown limit each (with room for the head, the link
 * and the footer), keeping their order. Returns the items of each part.
 */
export function packBatches(items: BatchItem[], maxBytes = MAX_MARKDOWN_BYTES): BatchItem[][] {
  const reserve = 900; // head, link and footer, generously
  const parts: BatchItem[][] = [];
  let cur: BatchItem[] = [];
  let bytes = 0;
  for (const i of items) {
    const b = Buffer.byteLength(batchLine(i)) + 1;
    if (cur.length && bytes + b > maxBytes - reserve) {
      parts.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(i);
    bytes += b;
  }
  if (cur.length) parts.push(cur);
  return parts;
}
