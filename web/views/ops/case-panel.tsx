import { createSignal, For, Show, type JSX } from 'solid-js';
import { t, type MessageKey } from '../../i18n';
import { formatInstant } from '../../i18n/time';
import type { LogEntry } from './api';
import type { CaseModel } from './case-model';
import { CandidateList } from './candidates';
import { Countdown } from './queue';
import { isHandOff, label } from './state';

/** Transitions offered as buttons, in this order; the model says which are allowed now. */
const BUTTONS: { to: string; key: MessageKey; needs?: 'reject' | 'reason' }[] = [
  { to: 'file', key: 'ops.tr.file' },
  { to: 'reject', key: 'ops.tr.reject', needs: 'reject' },
  { to: 'escalate', key: 'ops.tr.escalate', needs: 'reason' },
  { to: 'extension-approve', key: 'ops.tr.extension-approve' },
  { to: 'extension-deny', key: 'ops.tr.extension-deny', needs: 'reason' },
];

function Log(props: { entries: LogEntry[] }): JSX.Element {
  const rows = () => {
    let assignee: number | null = null;
    return props.entries.map((e) => {
      const handOff = isHandOff(e, assignee);
      if (e.assignee) assignee = e.assignee.id;
      if (e.to === 'filed' && e.from !== 'reported' && e.from !== null) assignee = null;
      return { e, handOff };
    });
  };
  return (
    <ol class="ops-log" data-testid="case-log">
      <For each={rows()}>
        {({ e, handOff }) => (
          <li classList={{ handoff: handOff }} data-to={e.to}>
            <div class="log-head">
              <span class="mono">{formatInstant(e.at, 'dateTimeSeconds')}</span>
              <span class="log-move">
                {e.from === null || e.from === e.to ? '' : `${label('ops.status', e.from)} → `}
                {label('ops.status', e.to)}
              </span>
              <Show when={handOff}>
                <span class="tag tag-handoff" title={t('ops.log.handoffTitle')}>
                  {t('ops.log.handoff')}
                </span>
              </Show>
            </div>
            <div class="small">
              <span>{e.actor?.name ?? label('ops.actor', e.actorRole)}</span>
              <Show when={e.assignee && e.to !== e.from}>
                <span class="muted"> · {t('ops.log.assignee', { name: e.assignee!.name })}</span>
              </Show>
            </div>
            <Show when={e.note}>
              <div class="log-note">{e.note}</div>
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}

/** The open case: facts, deadline, the transitions the acting dispatcher may make, candidates and the log. */
export function CasePanel(props: {
  model: CaseModel;
  now: number;
  actorName: string | null;
  warned: boolean;
  areaName: (code: string | null) => string;
  focused: number | null;
  onFocus: (staffId: number | null) => void;
  onClose: () => void;
}): JSX.Element {
  const m = props.model;
  const [rejectKind, setRejectKind] = createSignal<'invalid' | 'duplicate'>('invalid');
  const [reason, setReason] = createSignal('');
  const allowed = (to: string) => m.allowed().includes(to);
  const run = (b: (typeof BUTTONS)[number]) => {
    if (b.needs === 'reject') return void m.transition({ to: 'reject', reason: rejectKind(), note: reason().trim() || undefined });
    if (b.needs === 'reason') return void m.transition({ to: b.to, reason: reason().trim() || undefined });
    return void m.transition({ to: b.to });
  };
  const canDispatch = () => allowed('dispatch');

  return (
    <section class="ops-case" aria-labelledby="case-title" data-testid="case-panel" data-status={m.detail.latest?.status ?? ''}>
      <button type="button" class="panel-close" aria-label={t('ops.case.close')} title={t('ops.case.closeKey')} onClick={props.onClose}>
        ×
      </button>
      <Show when={m.detailError()}>
        <p class="ops-error" role="alert">
          {m.detailError()}
        </p>
      </Show>
      <Show when={m.detail.latest} fallback={<p class="muted">{t('ops.case.loading')}</p>}>
        {(d) => (
          <>
            <h2 id="case-title">
              <span class="case-cat">{d().category.name}</span>
              <span class="mono muted">{d().category.code}</span>
            </h2>
            <div class="case-status">
              <span class={`q-status st-${d().status}`} data-testid="case-status">
                {label('ops.status', d().status)}
              </span>
              <Countdown event={d()} now={props.now} warned={props.warned} />
              <Show when={d().escalated}>
                <span class="tag tag-escalated">{t('ops.case.escalated')}</span>
              </Show>
            </div>
            <p class="case-text">{d().text}</p>
            <dl class="facts">
              <dt>{t('ops.case.caseNo')}</dt>
              <dd class="mono">{d().caseNo}</dd>
              <dt>{t('ops.case.reporter')}</dt>
              <dd>{d().reporter || '—'}</dd>
              <dt>{t('ops.case.channel')}</dt>
              <dd>
                {label('ops.channel', d().channel)} · {label('ops.kind', d().kind)}
              </dd>
              <dt>{t('ops.case.tier')}</dt>
              <dd>{label('ops.tier', d().tier)}</dd>
              <dt>{t('ops.case.place')}</dt>
              <dd>
                <span class="mono">{d().blockCode}</span>
                <div class="muted small">
                  {props.areaName(d().communityCode)} · {props.areaName(d().subdistrictCode)}
                </div>
              </dd>
              <dt>{t('ops.case.reported')}</dt>
              <dd>{formatInstant(d().reportedAt, 'dateTimeSeconds')}</dd>
              <dt>{t('ops.case.due')}</dt>
              <dd>{d().dueAt ? formatInstant(d().dueAt!, 'dateTimeSeconds') : '—'}</dd>
              <Show when={d().assignee}>
                <dt>{t('ops.case.assignee')}</dt>
                <dd>{d().assignee!.name}</dd>
              </Show>
            </dl>

            <section class="ops-actions" aria-labelledby="actions-title">
              <h3 id="actions-title">{t('ops.case.actions')}</h3>
              <Show
                when={m.isDispatcher()}
                fallback={<p class="muted small">{props.actorName ? t('ops.case.notYours') : t('ops.case.chooseActor')}</p>}
              >
                <p class="muted small">{t('ops.case.actingAs', { name: props.actorName ?? '' })}</p>
                <Show when={allowed('reject') || allowed('escalate') || allowed('extension-deny')}>
                  <div class="action-inputs">
                    <Show when={allowed('reject')}>
                      <select name="reject-kind" aria-label={t('ops.case.rejectKind')} value={rejectKind()} onChange={(e) => setRejectKind(e.currentTarget.value as 'invalid' | 'duplicate')}>
                        <option value="invalid">{t('ops.reject.invalid')}</option>
                        <option value="duplicate">{t('ops.reject.duplicate')}</option>
                      </select>
                    </Show>
                    <input
                      type="text"
                      name="action-reason"
                      maxLength={200}
                      placeholder={t('ops.case.reasonPlaceholder')}
                      value={reason()}
                      onInput={(e) => setReason(e.currentTarget.value)}
                    />
                  </div>
                </Show>
                <div class="action-buttons">
                  <For each={BUTTONS.filter((b) => allowed(b.to))}>
                    {(b) => (
                      <button type="button" class={b.to === 'file' ? 'btn btn-primary' : 'btn'} data-action={b.to} disabled={m.busy()} onClick={() => run(b)}>
                        {t(b.key)}
                        <Show when={b.to === 'file'}>
                          <kbd>f</kbd>
                        </Show>
                      </button>
                    )}
                  </For>
                  <Show when={m.allowed().length === 0}>
                    <span class="muted small">{t('ops.case.noActions')}</span>
                  </Show>
                </div>
                <Show when={d().status === 'reported'}>
                  <p class="muted small">{t('ops.case.fileFirst')}</p>
                </Show>
              </Show>
              <Show when={m.notice()}>
                <p class="ops-notice" role="status" data-testid="case-notice">
                  {m.notice()}
                </p>
              </Show>
              <Show when={m.error()}>
                <p class="ops-error" role="alert" data-testid="case-error">
                  {m.error()}
                </p>
              </Show>
            </section>

            <Show when={m.sent()}>
              {(r) => (
                <p class="ops-sent" data-testid="sent-route">
                  {t('ops.case.sentRoute', { name: r().staffName, eta: r().etaSeconds === null ? '—' : String(Math.max(1, Math.round(r().etaSeconds! / 60))) })}
                </p>
              )}
            </Show>

            <Show when={d().status === 'filed'}>
              <CandidateList
                data={m.ranking()}
                loading={m.candidates.loading}
                error={m.candidateError()}
                canDispatch={m.isDispatcher() && canDispatch()}
                busy={m.busy()}
                focused={props.focused}
                onFocus={props.onFocus}
                onRerank={() => m.rerank()}
                onDispatch={(staffId, why) => void m.dispatch(staffId, why)}
              />
            </Show>

            <section aria-labelledby="log-title">
              <h3 id="log-title">{t('ops.log.title')}</h3>
              <Log entries={d().log} />
            </section>
          </>
        )}
      </Show>
    </section>
  );
}
