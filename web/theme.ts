import { createContext, createSignal, useContext, type Accessor } from 'solid-js';
import type { Theme } from './map/palette';
import { readMapSettings } from './map/settings';

/** Dark is the default on /wall (a screen seen from across a room), light elsewhere; the switch overrides both. */
export function defaultTheme(pathname: string): Theme {
  return readMapSettings().theme ?? (pathname.startsWith('/wall') ? 'dark' : 'light');
}

const [override, setOverride] = createSignal<Theme | null>(null);
export { setOverride as setThemeOverride, override as themeOverride };

const LIGHT: Accessor<Theme> = () => 'light';
export const ThemeContext = createContext<Accessor<Theme>>();
export const useTheme = (): Accessor<Theme> => useContext(ThemeContext) ?? LIGHT;
