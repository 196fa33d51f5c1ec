import { createSignal } from 'solid-js';
import { en } from './en';
import { zhCN, type MessageKey, type Messages } from './zh-CN';

export type { MessageKey, Messages };
export type Lang = 'zh-CN' | 'en';

const DICTIONARIES: Record<Lang, Messages> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'gezhi.lang';

function parseLang(value: string | null | undefined): Lang | undefined {
  if (!value) return undefined;
  if (value === 'en' || value.toLowerCase().startsWith('en')) return 'en';
  if (value.toLowerCase().startsWith('zh')) return 'zh-CN';
  return undefined;
}

/** `?lang=en` wins (and is remembered), then the stored choice, then zh-CN. */
function initialLang(): Lang {
  const fromQuery = parseLang(new URLSearchParams(location.search).get('lang'));
  if (fromQuery) {
    localStorage.setItem(STORAGE_KEY, fromQuery);
    return fromQuery;
  }
  return parseLang(localStorage.getItem(STORAGE_KEY)) ?? 'zh-CN';
}

const [lang, setLangSignal] = createSignal<Lang>(initialLang());
document.documentElement.lang = lang();

export { lang };

export function setLang(next: Lang): void {
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  setLangSignal(next);
}

/** The message for `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = DICTIONARIES[lang()][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Numbers in the current language's grouping. */
export function formatNumber(n: number, digits = 0): string {
  return n.toLocaleString(lang(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
