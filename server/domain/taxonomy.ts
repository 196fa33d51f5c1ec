/** Moved to the contract module (shared with the web app); kept while importers move over. */
export * from '../contract/taxonomy.ts';
