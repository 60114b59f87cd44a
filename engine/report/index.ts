export { buildReport, buildHealthReport, reportOptionsSchema, DEFAULT_REDEMPTION_VALUE, type ReportOptions } from './build';
export { renderReportHtml, esc as escapeHtml } from './html';
export { ReportPeriod, periodBuckets, type PeriodBucket } from './periods';
export { normalQuantile, normalCdf, wilsonInterval, waldDifferenceInterval, newcombeDifferenceInterval, sampleSizePerArm, type Interval } from './stats';
export * from './types';
export type { ReferralReport } from './referrals';
export { healthAlerts, AlertKind, type HealthAlert, type AlertThresholds } from './alerts';
export { claimHealthAlerts, currentHealthAlerts, healthCheckSettingsSchema, HEALTH_ALERT_EVENT_TYPE, type HealthCheckSettings, type HealthAlertEvent } from './healthCheck';
export { foldReport, type FoldOptions, type FoldResult } from './fold';
