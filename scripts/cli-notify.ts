/**
 * The `channel` and `notifications` commands of the CLI: configure the chat channels (WeCom / DingTalk robots,
 * signed webhooks) and look after the outbox. They open the database directly, beside a running server (SQLite WAL).
 */
import type { Db } from '../server/db/database.ts';

export interface CliKit {
  usage: (message: string) => Error;
  parseOptions(args: string[], valued: readonly string[], flags: readonly string[]): Map<string, string | true>;
  openDb(file: string | undefined): Db;
}

interface Command {
  summary: string;
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** A unit given as its id or as kind:key@subdistrict (centre:guidance@430302005). */
function unitId(db: Db, text: string, usage: CliKit['usage']): string {
  if (/^\d+$/.test(text)) return text;
  const m = /^(centre|department):([a-z0-9-]+)@(\d{9})$/.exec(text);
  if (!m) throw usage(`--code of a unit is its id or kind:key@subdistrict, e.g. centre:guidance@430302005 (got "${text}")`);
  const row = db.prepare('SELECT id FROM units WHERE kind = ? AND key = ? AND subdistrict_code = ?').get(m[1], m[2], m[3]) as { id: number } | undefined;
  if (!row) throw usage(`no ${m[1]} "${m[2]}" in subdistrict ${m[3]}`);
  return String(row.id);
}

export function channelCommand(kit: CliKit): Command {
  return {
    summary: 'chat channels for notifications: add, list, remove, test (WeCom / DingTalk robots, signed webhooks)',
    usage: 'channel add|list|remove|test …',
    help: `channel add --name NAME --kind wecom|dingtalk|webhook --url URL [--secret S] --scope SCOPE --code CODE
            [--kinds K,…] [--rate N] [--digest HH:MM] [--db FILE]
channel list [--db FILE]
channel remove <id|name> [--db FILE]
channel test <id|name> [--db FILE]

add: a channel that receives the messages of cases in its scope:
  --kind wecom      a WeCom group robot: --url https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
  --kind dingtalk   a DingTalk custom robot with 加签: --url https://oapi.dingtalk.com/robot/send?access_token=…
                    and --secret SEC… (the robot's signing secret)
  --kind webhook    a signed JSON webhook (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature);
                    --secret whsec_… or one is made and printed once
  --scope district|subdistrict|unit|block and --code: the district or subdistrict code, a 15-digit block code
                    (its team), or a unit (centre or department) as its id or kind:key@subdistrict, e.g.
                    centre:guidance@430302005 or department:urban-management@430302005
  --kinds K,…       only these kinds (dispatch, warning, breach, escalation, rework, digest); default all
  --rate N          messages per minute (robots: at most 20, their limit; webhooks: default 600)
  --digest HH:MM    a daily digest of the scope at this time (Asia/Shanghai), on working days
The URL's host must be one of GEZHI_NOTIFY_HOSTS (default qyapi.weixin.qq.com, oapi.dingtalk.com), over https
(http only for a receiver on this machine). Reads never show a secret; the robot key in a URL is masked.
remove: disables the channel and cancels what it has not sent (its history stays).
test: sends one test message now and prints the answer.
Exit codes: 0 done, 1 failed (e.g. invalid channel: each problem is listed), 2 usage error.`,
    async run(args) {
      const [verb, ...rest] = args;
      const { channelStore, notifyHostsFromEnv, toView, validateChannel } = await import('../server/notify/channels.ts');
      if (verb === 'add') {
        const o = kit.parseOptions(rest, ['name', 'kind', 'url', 'secret', 'scope', 'code', 'kinds', 'rate', 'digest', 'db'], []);
        for (const k of ['name', 'kind', 'url', 'scope', 'code']) if (!o.has(k)) throw kit.usage(`--${k} is required`);
        const db = kit.openDb(o.get('db') as string | undefined);
        try {
          const scope = o.get('scope') as string;
          const code = scope === 'unit' ? unitId(db, o.get('code') as string, kit.usage) : (o.get('code') as string);
          let rate: number | undefined;
          if (o.has('rate')) {
            rate = Number(o.get('rate'));
            if (!Number.isInteger(rate)) throw kit.usage(`--rate must be a whole number (got "${o.get('rate')}")`);
          }
          const v = validateChannel(db, {
            name: o.get('name') as string, kind: o.get('kind') as string, url: o.get('url') as string,
            secret: (o.get('secret') as string | undefined) ?? null, scope, scopeCode: code,
            kinds: o.has('kinds') ? (o.get('kinds') as string).split(',').map((s) => s.trim()).filter(Boolean) : [],
            ratePerMinute: rate, digestAt: (o.get('digest') as string | undefined) ?? null,
          }, notifyHostsFromEnv());
          if (!v.ok) {
            process.stderr.write(`gezhi channel add: not added:\n${v.problems.map((p) => `  - ${p.field}: ${p.detail}`).join('\n')}\n`);
            return 1;
          }
          const store = channelStore(db);
          const id = store.add(v.row, Date.now());
          out(JSON.stringify(toView(store.get(id)!), null, 2));
          if (v.row.kind === 'webhook' && !o.has('secret')) out(`Signing secret (shown once; give it to the receiver): ${v.row.secret}`);
          return 0;
        } finally {
          db.close();
        }
      }
      if (verb === 'list') {
        const o = kit.parseOptions(rest, ['db'], []);
        const db = kit.openDb(o.get('db') as string | undefined);
        try {
          for (const c of channelStore(db).list().map(toView)) {
            out(`${String(c.id).padStart(4)}  ${c.enabled ? 'on ' : 'off'}  ${c.kind.padEnd(8)} ${c.name}  ${c.scope} ${c.scopeCode}  ` +
              `${c.kinds.length ? c.kinds.join(',') : 'all kinds'}  ${c.ratePerMinute}/min${c.digestAt ? `  digest ${c.digestAt}` : ''}  ${c.url}`);
          }
          return 0;
        } finally {
          db.close();
        }
      }
      if (verb === 'remove' || verb === 'test') {
        const [ref, ...more] = rest;
        if (ref === undefined || ref.startsWith('--')) throw kit.usage(`name the channel to ${verb} (id or name)`);
        const o = kit.parseOptions(more, ['db'], []);
        const db = kit.openDb(o.get('db') as string | undefined);
        try {
          const store = channelStore(db);
          const ch = store.find(ref);
          if (!ch) {
            process.stderr.write(`gezhi channel ${verb}: no channel "${ref}"\n`);
            return 1;
          }
          if (verb === 'remove') {
            const n = store.remove(ch.id);
            out(`Removed channel ${ch.id} "${ch.name}"; ${n} unsent notifications cancelled`);
            return 0;
          }
          const { buildRequest, send } = await import('../server/notify/wire.ts');
          const msg = { title: '格治测试消息', markdown: `### 格治测试消息\n> 通道：${ch.name}\n> 时间：${new Date().toISOString()}`, link: null };
          const answer = await send(ch.kind, buildRequest(ch, msg, { id: 0, kind: 'digest', createdAt: new Date().toISOString(), redelivery: false, facts: {} }, Date.now()), 10_000);
          out(answer.ok ? `Sent: HTTP ${answer.status} ${answer.detail}` : `Not sent: ${answer.detail}`);
          return answer.ok ? 0 : 1;
        } finally {
          db.close();
        }
      }
      throw kit.usage(verb === undefined ? 'say what to do: add, list, remove or test' : `unknown channel command "${verb}"`);
    },
  };
}

export function notificationsCommand(kit: CliKit): Command {
  return {
    summary: 'the notification outbox: list, retry a failed one',
    usage: 'notifications list [--status S] [--limit N] [--db FILE] | notifications retry <id> [--db FILE]',
    help: `list: the newest notifications (status pending, sending, sent, failed, batched or cancelled), with counts.
retry: puts a failed notification back in the queue (its tries counted afresh); the running server sends it.
Exit codes: 0 done, 1 failed, 2 usage error.`,
    async run(args) {
      const [verb, ...rest] = args;
      const { outboxStore } = await import('../server/notify/store.ts');
      if (verb === 'list') {
        const o = kit.parseOptions(rest, ['status', 'limit', 'db'], []);
        const limit = o.has('limit') ? Number(o.get('limit')) : 50;
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw kit.usage('--limit must be a whole number from 1 to 10000');
        const db = kit.openDb(o.get('db') as string | undefined);
        try {
          const store = outboxStore(db);
          out(`counts: ${JSON.stringify(store.counts())}`);
          for (const r of store.list({ status: o.get('status') as string | undefined, limit })) {
            out(`${String(r.id).padStart(6)}  ${r.status.padEnd(9)} ${r.kind.padEnd(10)} ${r.channel_name}  ${r.case_no ?? ''}  tries ${r.attempts}` +
              `${r.last_error ? `  last error: ${r.last_error}` : ''}`);
          }
          return 0;
        } finally {
          db.close();
        }
      }
      if (verb === 'retry') {
        const [ref, ...more] = rest;
        if (ref === undefined || !/^\d+$/.test(ref)) throw kit.usage('name the notification to retry by its id');
        const o = kit.parseOptions(more, ['db'], []);
        const db = kit.openDb(o.get('db') as string | undefined);
        try {
          if (!outboxStore(db).retryFailed(Number(ref), Date.now())) {
            process.stderr.write(`gezhi notifications retry: no failed notification ${ref}\n`);
            return 1;
          }
          out(`Notification ${ref} is queued again`);
          return 0;
        } finally {
          db.close();
        }
      }
      throw kit.usage(verb === undefined ? 'say what to do: list or retry' : `unknown notifications command "${verb}"`);
    },
  };
}
