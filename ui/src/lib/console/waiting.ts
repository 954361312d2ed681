// When a waiting visitor turns amber and red: the department's alert thresholds, as the
// hub's etiquette timers use them (defaults: amber at 30 s, red at 60 s).
import type { DepartmentInfo } from '../ipc/bindings/DepartmentInfo';

export type WaitLevel = 'calm' | 'amber' | 'red';

export interface WaitThresholds {
  amberSecs: number;
  redSecs: number;
}

export const DEFAULT_THRESHOLDS: WaitThresholds = { amberSecs: 30, redSecs: 60 };

/**
 * Amber from the department's first threshold (`wait_alert_secs`), red from its reply
 * threshold (`reply_alert_secs`), and never red before amber.
 */
export function thresholdsOf(department: DepartmentInfo | undefined): WaitThresholds {
  if (department === undefined) return DEFAULT_THRESHOLDS;
  const amberSecs = department.wait_alert_secs > 0 ? department.wait_alert_secs : 30;
  const red = department.reply_alert_secs > 0 ? department.reply_alert_secs : 60;
  return { amberSecs, redSecs: Math.max(amberSecs, red) };
}

export function waitLevel(seconds: number, thresholds: WaitThresholds): WaitLevel {
  if (seconds >= thresholds.redSecs) return 'red';
  if (seconds >= thresholds.amberSecs) return 'amber';
  return 'calm';
}
