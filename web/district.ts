/** The district the server holds, for titles and data notes: Yuhu on the demo data, whatever was imported otherwise. */
import { createAsync } from '@solidjs/router';
import { getHealth } from './api/client';
import { lang } from './i18n';

export interface DistrictInfo {
  /** Its name in the UI's language ('' until the server answers). */
  name: () => string;
  /** Whether the database is the generated demo (its layers are partly generated) or imported data. */
  demo: () => boolean;
}

export function useDistrict(): DistrictInfo {
  const health = createAsync(() => getHealth());
  return {
    name: () => {
      const d = health()?.district;
      return d ? (lang() === 'en' ? d.nameEn : d.name) : '';
    },
    demo: () => health()?.demo !== false,
  };
}
