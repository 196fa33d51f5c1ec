import { A, createAsync, Route, Router, useLocation, type RouteSectionProps } from '@solidjs/router';
import { useDistrict } from './district';
import { createEffect, createMemo, ErrorBoundary, For, Show, type JSX } from 'solid-js';
import { getHealth } from './api/client';
import { lang, setLang, t, type MessageKey } from './i18n';
import { defaultTheme, setThemeOverride, ThemeContext, themeOverride } from './theme';
import { ErrorNote } from './views/block-panel';
import { ComingSoon } from './views/coming-soon';
import { ImportView } from './views/import/import-view';
import { InsightView } from './views/insight/insight-view';
import { OpsView } from './views/ops/ops-view';
import { OverviewView } from './views/overview';
import { ReviewReport } from './views/review/report';
import { ReviewView } from './views/review/review-view';
import { WallView } from './views/wall/wall';

const NAV: { href: string; label: MessageKey }[] = [
  { href: '/', label: 'nav.overview' },
  { href: '/wall', label: 'nav.wall' },
  { href: '/ops', label: 'nav.ops' },
  { href: '/plan', label: 'nav.plan' },
  { href: '/insight', label: 'nav.insight' },
  { href: '/review', label: 'nav.review' },
  { href: '/import', label: 'nav.import' },
];

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
            <For each={NAV}>
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
          <ErrorBoundary fallback={(error, reset) => <ErrorNote error={error} reset={reset} />}>{props.children}</ErrorBoundary>
        </main>
      </div>
    </ThemeContext.Provider>
  );
}

export function App(): JSX.Element {
  return (
    <Router root={Shell}>
      <Route path="/" component={OverviewView} />
      <Route path="/wall" component={WallView} />
      <Route path="/ops" component={OpsView} />
      <Route path="/plan" component={() => <ComingSoon view="plan" />} />
      <Route path="/insight" component={InsightView} />
      <Route path="/review" component={ReviewView} />
      <Route path="/review/report" component={ReviewReport} />
      <Route path="/import" component={ImportView} />
    </Router>
  );
}
