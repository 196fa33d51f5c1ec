import { createSignal, For, Show, type JSX } from 'solid-js';
import { t, type MessageKey } from '../../i18n';
import { cssColor } from '../../map/palette';
import { rankColor } from '../../map/ops-layers';
import type { Candidate, Candidates } from './api';
import { formatDistance, formatEta, label } from './state';

/** The score's parts, in the order the bar shows them, with their colours. */
const PARTS: { key: keyof Candidate['parts']; label: MessageKey; color: string }[] = [
  { key: 'eta', label: 'ops.part.eta', color: '#2563eb' },
  { key: 'ownership', label: 'ops.part.ownership', color: '#16a34a' },
  { key: 'load', label: 'ops.part.load', color: '#d97706' },
  { key: 'sla', label: 'ops.part.sla', color: '#9333ea' },
];

/** A reason key the dictionary knows, or the key itself. */
export function reasonText(key: string): string {
  return label('ops.reason', key);
}

function ScoreBar(props: { c: Candidate }): JSX.Element {
  const total = () => PARTS.reduce((s, p) => s + (props.c.parts[p.key] ?? 0), 0) || 1;
  return (
    <div class="score" title={PARTS.map((p) => `${t(p.label)} ${Math.round((props.c.parts[p.key] ?? 0) * 100)}%`).join(' · ')}>
      <div class="score-bar" role="img" aria-label={t('ops.cand.scoreAria', { score: Math.round(props.c.score * 100) })}>
        <For each={PARTS}>
          {(p) => (
            <span
              class={`score-part part-${p.key}`}
              style={{ width: `${((props.c.parts[p.key] ?? 0) / total()) * props.c.score * 100}%`, background: p.color }}
            />
          )}
        </For>
      </div>
      <span class="score-value">{Math.round(props.c.score * 100)}</span>
    </div>
  );
}

export function PartsLegend(): JSX.Element {
  return (
    <div class="parts-legend">
      <For each={PARTS}>
        {(p) => (
          <span>
            <i style={{ background: p.color }} />
            {t(p.label)}
          </span>
        )}
      </For>
    </div>
  );
}

/**
 * The recommendation: ranked candidates with the score split into its parts and the reasons in words ("why this
 * person"), a one-click dispatch of the top one and a dispatch of any other, each with an optional reason.
 */
export function CandidateList(props: {
  data: Candidates | undefined;
  loading: boolean;
  error: string | null;
  canDispatch: boolean;
  busy: boolean;
  focused: number | null;
  onFocus: (staffId: number | null) => void;
  onDispatch: (staffId: number, reason: string) => void;
  onRerank: () => void;
}): JSX.Element {
  const [reason, setReason] = createSignal('');
  return (
    <section class="ops-candidates" aria-labelledby="cand-title" data-testid="candidates">
      <h3 id="cand-title">
        {t('ops.cand.title')}
        <Show when={props.data}>
          <button type="button" class="link rerank" disabled={props.loading} onClick={() => props.onRerank()}>
            {t('ops.cand.rerank')}
          </button>
        </Show>
      </h3>
      <Show when={props.error}>
        <p class="ops-error" role="alert">
          {props.error}
        </p>
      </Show>
      <Show when={props.loading && !props.data}>
        <p class="muted">{t('ops.cand.loading')}</p>
      </Show>
      <Show when={props.data}>
        {(d) => (
          <>
            <p class="muted small">{t('ops.cand.lead', { tier: label('ops.tier', d().tier), n: d().items.length })}</p>
            <PartsLegend />
            <Show when={props.canDispatch}>
              <label class="dispatch-reason">
                <span>{t('ops.cand.reason')}</span>
                <input
                  type="text"
                  name="dispatch-reason"
                  maxLength={200}
                  placeholder={t('ops.cand.reasonPlaceholder')}
                  value={reason()}
                  onInput={(e) => setReason(e.currentTarget.value)}
                />
              </label>
            </Show>
            <Show when={d().items.length > 0} fallback={<p class="muted">{t('ops.cand.none')}</p>}>
              <ol class="cand-list">
                <For each={d().items}>
                  {(c, i) => (
                    <li
                      classList={{ focused: props.focused === c.staff.id, top: i() === 0 }}
                      data-staff={c.staff.id}
                      data-rank={i() + 1}
                      onMouseEnter={() => props.onFocus(c.staff.id)}
                      onMouseLeave={() => props.onFocus(null)}
                    >
                      <div class="cand-head">
                        <span class="rank" style={{ background: cssColor(rankColor(i())) }}>
                          {i() + 1}
                        </span>
                        <span class="cand-name">{c.staff.name}</span>
                        <span class="muted small">{label('ops.role', c.staff.role)}</span>
                        <Show when={c.owner}>
                          <span class="tag tag-owner">{t('ops.cand.owner')}</span>
                        </Show>
                      </div>
                      <ScoreBar c={c} />
                      <div class="cand-facts small">
                        <span title={t('ops.cand.eta')}>{t('ops.cand.eta')} {formatEta(c.etaSeconds)}</span>
                        <span title={t('ops.cand.distance')}>{formatDistance(c.distanceMetres)}</span>
                        <span>{t('ops.cand.load', { n: c.openLoad })}</span>
                        <Show when={c.staff.unit}>{(u) => <span class="muted">{u().name}</span>}</Show>
                      </div>
                      <ul class="reasons" aria-label={t('ops.cand.why')}>
                        <For each={c.reasons}>{(r) => <li data-reason={r}>{reasonText(r)}</li>}</For>
                      </ul>
                      <Show when={props.canDispatch}>
                        <button
                          type="button"
                          class={i() === 0 ? 'btn btn-primary' : 'btn'}
                          disabled={props.busy}
                          data-action="dispatch"
                          onClick={() => props.onDispatch(c.staff.id, reason())}
                        >
                          {i() === 0 ? t('ops.cand.dispatchTop') : t('ops.cand.dispatch')}
                        </button>
                      </Show>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
