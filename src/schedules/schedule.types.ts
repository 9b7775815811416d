import type { Schedule } from './schedule.repo.js';

/**
 * The shapes the schedule service and the schedule jobs share: the service keeps Redis in step
 * through a ScheduleRegistry, the jobs fire runs through the service. Here, so neither imports
 * the other's module for a type.
 */

/** What the API needs: keep Redis in step with a saved or deleted schedule. */
export interface ScheduleRegistry {
  sync(s: Pick<Schedule, 'id' | 'cron' | 'timeZone' | 'enabled'>): Promise<void>;
  remove(id: number): Promise<void>;
}

/** Told after a run's campaign is launched and committed (the API's campaign events hook). */
export type CampaignStarted = (campaignId: number, state: string) => Promise<void>;
