/** Writes the category taxonomy to the categories table. */
import type { Db } from '../database.ts';
import { TAXONOMY, type Taxonomy } from '../../contract/taxonomy.ts';

export function writeCategories(db: Db, taxonomy: Taxonomy = TAXONOMY): number {
  const insert = db.prepare(
    `INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key,
       deadline_value, deadline_unit, warning_ratio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const c of taxonomy.categories) {
      insert.run(c.code, c.majorCode, c.majorName, c.majorNameEn, c.name, c.nameEn, c.tier, c.unitKey,
        c.deadline.value, c.deadline.unit, c.warningRatio);
    }
  })();
  return taxonomy.categories.length;
}
