/**
 * /import: an administrator uploads the district's own boundaries, roster or case export; the server runs the same
 * importer as the CLI and answers the summary and the row-numbered report, shown here and downloadable as CSV.
 */
import { createSignal, For, Show, type JSX } from 'solid-js';
import { csrfHeaders } from '../../api/session';
import { formatNumber, lang, t, type MessageKey } from '../../i18n';
import { importTerm } from './import-terms';
import './import.css';

type Kind = 'boundaries' | 'roster' | 'events';
const KINDS: Kind[] = ['boundaries', 'roster', 'events'];
const LEVELS = ['block', 'community', 'subdistrict', 'district'] as const;
/** Boundary options, by the API's field names. */
const BOUNDARY_FIELDS = ['code', 'name', 'residents', 'households', 'communityName', 'subdistrictName', 'districtName', 'crs', 'encoding'] as const;

interface ReportLine { row: number; key: string; outcome: string; reason: string; detail: string }
interface ImportAnswer {
  summary: Record<string, unknown>;
  lines: ReportLine[];
  linesTotal: number;
  reportCsv: string;
}

/** The summary's plain figures and per-reason counts as [name, label, value], labels in the reader's language. */
function summaryRows(s: Record<string, unknown>): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const [k, v] of Object.entries(s)) {
    if (typeof v === 'number') out.push([k, importTerm(k), formatNumber(v)]);
    else if (typeof v === 'string' && v.length < 80) out.push([k, importTerm(k), v]);
    else if (typeof v === 'boolean') out.push([k, importTerm(k), importTerm(String(v))]);
    else if (v && typeof v === 'object') for (const [r, n] of Object.entries(v)) out.push([`${k}: ${r}`, `${importTerm(k)}${lang() === 'zh-CN' ? '：' : ': '}${importTerm(r)}`, formatNumber(Number(n))]);
  }
  return out;
}

export function ImportView(): JSX.Element {
  const [kind, setKind] = createSignal<Kind>('boundaries');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [answer, setAnswer] = createSignal<ImportAnswer | null>(null);
  let formEl!: HTMLFormElement;

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      const res = await fetch(`/api/import/${kind()}`, { method: 'POST', body: new FormData(formEl), headers: csrfHeaders() });
      const body = await res.json();
      if (!res.ok) setError(String(body.detail ?? body.title ?? res.status));
      else setAnswer(body as ImportAnswer);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const reportHref = () => {
    const a = answer();
    return a ? URL.createObjectURL(new Blob([a.reportCsv], { type: 'text/csv;charset=utf-8' })) : undefined;
  };

  return (
    <section class="import-view" data-testid="import-view">
      <h1>{t('import.title')}</h1>
      <p class="import-lead">{t('import.lead')}</p>
      <form ref={formEl} onSubmit={submit} class="import-form">
        <fieldset>
          <legend>{t('import.kind')}</legend>
          <For each={KINDS}>
            {(k) => (
              <label class="import-kind">
                <input type="radio" name="kind" value={k} checked={kind() === k} onChange={() => setKind(k)} />
                {t(`import.kind.${k}` as MessageKey)}
              </label>
            )}
          </For>
        </fieldset>
        <label class="import-field">
          <span>{t('import.file')}</span>
          <input type="file" name="file" multiple required data-testid="import-file" />
        </label>
        <Show when={kind() === 'boundaries'}>
          <label class="import-field">
            <span>{t('import.level')}</span>
            <select name="level">
              <For each={LEVELS}>{(l) => <option value={l}>{t(`import.level.${l}` as MessageKey)}</option>}</For>
            </select>
          </label>
          <For each={BOUNDARY_FIELDS}>
            {(f) => (
              <label class="import-field">
                <span>{t(`import.field.${f}` as MessageKey)}</span>
                <input type="text" name={f} data-field={f} />
              </label>
            )}
          </For>
        </Show>
        <Show when={kind() === 'events'}>
          <label class="import-field">
            <span>{t('import.field.mapping')}</span>
            <textarea name="mapping" rows={8} data-field="mapping" />
          </label>
        </Show>
        <button type="submit" disabled={busy()}>{busy() ? t('import.running') : t('import.submit')}</button>
      </form>
      <Show when={error()}>
        {(message) => <p class="import-error" role="alert">{t('import.failed', { detail: message() })}</p>}
      </Show>
      <Show when={answer()}>
        {(a) => (
          <div class="import-result" data-testid="import-result">
            <h2>{t('import.result')}</h2>
            <table class="import-summary">
              <tbody>
                <For each={summaryRows(a().summary)}>{([k, label, v]) => <tr><th>{label}</th><td data-key={k}>{v}</td></tr>}</For>
              </tbody>
            </table>
            <a href={reportHref()} download={`${kind()}.report.csv`}>{t('import.download')}</a>
            <h3>{t('import.report', { n: Math.min(a().lines.length, a().linesTotal), total: a().linesTotal })}</h3>
            <table class="import-lines">
              <thead>
                <tr>
                  <th>{t('import.col.row')}</th><th>{t('import.col.key')}</th><th>{t('import.col.outcome')}</th>
                  <th>{t('import.col.reason')}</th><th>{t('import.col.detail')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={a().lines}>
                  {(l) => <tr data-outcome={l.outcome}><td>{l.row || ''}</td><td>{l.key}</td><td>{importTerm(l.outcome)}</td><td title={l.reason}>{importTerm(l.reason)}</td><td>{l.detail}</td></tr>}
                </For>
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </section>
  );
}
