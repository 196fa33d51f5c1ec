import { A, createAsync, Route, Router, useLocation, useNavigate, type RouteSectionProps } from '@solidjs/router';
import { createEffect, createMemo, createResource, ErrorBoundary, For, Show, type JSX } from 'solid-js';
import { useDistrict } from './district';
import { getHealth } from './api/client';
import { can, displaySignIn, loadSession, session, signOut } from './api/session';
import { SignInView } from './views/sign-in';
import { lang, setLang, t, type MessageKey } from './i18n';
import { defaultTheme, setThemeOverride, ThemeContext, themeOverride } from './theme';
import { ErrorNote } from './views/block-panel';
import { ImportView } from './views/import/import-view';
import { InsightView } from './views/insight/insight-view';
import { OpsView } from './views/ops/ops-view';
import { OverviewView } from './views/overview';
import { PlanView } from './views/plan/plan-view';
import { ReviewReport } from './views/review/report';
import { ReviewView } from './views/review/review-view';
import { WallView } from './views/wall/wall';

/** Each view and the permission it needs (domain/permissions.ts); the navigation shows the ones the role has. */
const NAV: { href: string; label: MessageKey; needs: string }[] = [
  { href: '/', label: 'nav.overview', needs: 'map:read' },
  { href: '/wall', label: 'nav.wall', needs: 'map:read' },
  { href: '/ops', label: 'nav.ops', needs: 'events:dispatch' },
  { href: '/plan', label: 'nav.plan', needs: 'plan:edit' },
  { href: '/insight', label: 'nav.insight', needs: 'insight:read' },
  { href: '/review', label: 'nav.review', needs: 'review:read' },
  { href: '/import', label: 'nav.import', needs: 'data:import' },
];

/**
 * Who is signed in decides what is shown: nobody → the sign-in page (and back afterwards); a wall screen (display
 * session) → /wall and nothing else. A `/wall?token=…` link (a kiosk is configured by its link) first exchanges
 * its display token for a display session (an HttpOnly cookie) for the app shell's own reads; the wall's requests
 * keep sending the token itself as `Authorization: Bearer` (views/wall/api.ts).
 */
async function startSession(): Promise<unknown> {
  const token = new URLSearchParams(location.search).get('token');
  if (location.pathname === '/wall' && token) {
    try {
      return await displaySignIn(token);
    } catch {
      return loadSession();
    }
  }
  return loadSession();
}

function UserBadge(): JSX.Element {
  const navigate = useNavigate();
  return (
    <Show when={session()}>
      {(s) => (
        <span class="user-badge" data-testid="user-badge">
          <span>{t('auth.signedInAs', { name: s().staffName ?? s().username, role: t(`role.${s().role}` as MessageKey) })}</span>
          <Show when={!s().display}>
            <button
              type="button"
              class="sign-out"
              data-testid="sign-out"
              onClick={() => void signOut().then(() => navigate('/signin', { replace: true }))}
            >
              {t('auth.signOut')}
            </button>
          </Show>
        </span>
      )}
    </Show>
  );
}

function DemoBadge(): JSX.Element {
  const health = createAsync(() => getHealth());
  return (
    <Show when={health()?.demo}>
      <span class="badge badge-demo" title={t('app.demoBadgeTitle')} data-testid="demo-badge">
        {t('app.demoBadge')}
      </span>
    </Show>
  );
}

function Shell(props: RouteSectionProps): JSX.Element {
  const location = useLocation();
  const navigate = useNavigate();
  const [started] = createResource(startSession);
  const onSignIn = () => location.pathname === '/signin';
  createEffect(() => {
    if (started.loading) return;
    const s = session();
    if (s === undefined) return;
    if (s === null && !onSignIn()) navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    else if (s?.display && location.pathname !== '/wall') navigate('/wall', { replace: true });
  });
  const ready = () => !started.loading && session() !== undefined && (onSignIn() || session() !== null);
  const theme = createMemo(() => themeOverride() ?? defaultTheme(location.pathname));
  const district = useDistrict();
  createEffect(() => {
    document.documentElement.dataset.theme = theme();
    document.title = `${t('app.name')} · ${t('app.tagline', { district: district.name() })}`;
  });
  return (
    <ThemeContext.Provider value={theme}>
      <div class="app" data-theme={theme()}>
        <header class="app-header">
          <A href="/" class="brand" end>
            <span class="brand-name">{t('app.name')}</span>
            <span class="brand-tagline">{t('app.tagline', { district: district.name() })}</span>
          </A>
          <nav aria-label={t('nav.label')}>
            <For each={NAV.filter((item) => can(item.needs) && (!session()?.display || item.href === '/wall'))}>
              {(item) => (
                <A href={item.href} end={item.href === '/'} activeClass="active">
                  {t(item.label)}
                </A>
              )}
            </For>
          </nav>
          <div class="header-tools">
            <ErrorBoundary fallback={() => null}>
              <DemoBadge />
            </ErrorBoundary>
            <UserBadge />
            <button
              type="button"
              class="theme-switch"
              title={t('theme.switchTitle')}
              onClick={() => setThemeOverride(theme() === 'dark' ? 'light' : 'dark')}
            >
              {theme() === 'dark' ? t('theme.light') : t('theme.dark')}
            </button>
            <button
              type="button"
              class="lang-switch"
              title={t('lang.switchTitle')}
              lang={lang() === 'en' ? 'zh-CN' : 'en'}
              onClick={() => setLang(lang() === 'en' ? 'zh-CN' : 'en')}
            >
              {t('lang.switch')}
            </button>
          </div>
        </header>
        <main class="app-main">
          <Show when={ready()} fallback={<p class="muted">{t('app.loading')}</p>}>
            <ErrorBoundary fallback={(error, reset) => <ErrorNote error={error} reset={reset} />}>{props.children}</ErrorBoundary>
          </Show>
        </main>
      </div>
    </ThemeContext.Provider>
  );
}

export function App(): JSX.Element {
  return (
    <Router root={Shell}>
      <Route path="/signin" component={SignInView} />
      <Route path="/" component={OverviewView} />
      <Route path="/wall" component={WallView} />
      <Route path="/ops" component={OpsView} />
      <Route path="/plan" component={PlanView} />
      <Route path="/insight" component={InsightView} />
      <Route path="/review" component={ReviewView} />
      <Route path="/review/report" component={ReviewReport} />
      <Route path="/import" component={ImportView} />
    </Router>
  );
}
