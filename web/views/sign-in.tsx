import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show, type JSX } from 'solid-js';
import { signIn, SignInRefused } from '../api/session';
import { t } from '../i18n';

/** Where a sign-in may send the user back to: a path of this app only (never another site). */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/';
}

/** `/signin`: user name and password; back to the page that sent the user here. */
export function SignInView(): JSX.Element {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(username().trim(), password());
      navigate(safeNext(typeof params.next === 'string' ? params.next : undefined), { replace: true });
    } catch (err) {
      if (err instanceof SignInRefused && err.status === 429) setError(t('auth.locked', { seconds: err.retryAfter ?? 60 }));
      else if (err instanceof SignInRefused && err.status === 401) setError(t('auth.wrong'));
      else setError(t('auth.failed', { message: err instanceof Error ? err.message : String(err) }));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sign-in" data-testid="sign-in">
      <form class="sign-in-card" onSubmit={submit}>
        <h1>{t('auth.title')}</h1>
        <p class="muted">{t('auth.lead')}</p>
        <label>
          <span>{t('auth.username')}</span>
          <input name="username" autocomplete="username" required value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          <span>{t('auth.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <Show when={error()}>
          <p class="sign-in-error" role="alert" data-testid="sign-in-error">
            {error()}
          </p>
        </Show>
        <button type="submit" disabled={busy()}>
          {busy() ? t('auth.signingIn') : t('auth.submit')}
        </button>
        <p class="muted small">{t('auth.demoHint')}</p>
      </form>
    </div>
  );
}
