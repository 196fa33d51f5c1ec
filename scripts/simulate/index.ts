/**
 * The live-activity simulator (`npm run gezhi -- simulate`, and in-process on the demo database under `npm start`).
 * See simulator.ts for what it does; the pure parts (rhythm, places, reports, plans) are exported for tests.
 */
export { startSimulator, positionAt, readLog, type Simulator, type SimulatorOptions, type SimulatorSummary } from './simulator.ts';
export { nextArrival, rateAt, peakRate, expectedReports, HOURLY, WEEKDAY, MONTHLY } from './rhythm.ts';
export { PlaceSampler, hotspotsAround, pointInGeometry, type Place, type BlockInput } from './places.ts';
export { CategoryPicker, draftReport, duplicateOf, reportBody, type ReportDraft } from './reports.ts';
export { planCase, LATE_SHARE, REWORK_SHARE, type CasePlan, type CaseFacts } from './plan.ts';
