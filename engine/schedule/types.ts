import type { RuleEvent } from '../rules';
import type { BirthdayDate } from './birthday';
import type { DueEventType, DueKind } from './settings';

/**
 * A time-based event schedule mode emits: a RuleEvent the evaluator takes as is. Its key is
 * `due:<kind>:<customerId>:<occurrence>` (follow-ups keep their own `follow_up:` key), so a rule's
 * decision on it is idempotent too. `data` holds the kind's facts (birthday date, days inactive…).
 */
export interface DueEvent extends RuleEvent {
	type: DueEventType;
	source: 'schedule';
	customer: { identities: Record<string, string | undefined>; timeZone?: string; birthday?: BirthdayDate; firstName?: string };
	data: { kind: DueKind; customerId: string; occurrence: string; [fact: string]: unknown };
}
