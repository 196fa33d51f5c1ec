import type { JSX } from 'solid-js';
import { t, type MessageKey } from '../i18n';

export type SoonView = 'wall' | 'ops' | 'plan' | 'insight' | 'review';

const TEXT: Record<SoonView, { title: MessageKey; body: MessageKey }> = {
  wall: { title: 'soon.wall.title', body: 'soon.wall.body' },
  ops: { title: 'soon.ops.title', body: 'soon.ops.body' },
  plan: { title: 'soon.plan.title', body: 'soon.plan.body' },
  insight: { title: 'soon.insight.title', body: 'soon.insight.body' },
  review: { title: 'soon.review.title', body: 'soon.review.body' },
};

/** An honest placeholder: what the view will do, and that it is not built yet. No fake figures. */
export function ComingSoon(props: { view: SoonView }): JSX.Element {
  return (
    <section class="soon" data-view={props.view} aria-labelledby="soon-title">
      <div class="soon-card">
        <span class="badge badge-soon">{t('soon.badge')}</span>
        <h1 id="soon-title">{t(TEXT[props.view].title)}</h1>
        <p class="soon-lead">{t('soon.lead')}</p>
        <p class="soon-body">{t(TEXT[props.view].body)}</p>
      </div>
    </section>
  );
}
