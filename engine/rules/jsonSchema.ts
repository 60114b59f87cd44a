import { z } from 'zod/v4';
import { ruleSetSchema } from './schema';
import { ruleEventSchema } from './event';

/** JSON Schemas for `n8n-loyalty schema rules|events`, generated from the same zod schemas the compiler uses. */
export function rulesJsonSchema(): Record<string, unknown> {
	return { title: 'n8n-loyalty rule set (version 1)', ...z.toJSONSchema(ruleSetSchema, { io: 'input', unrepresentable: 'any' }) };
}

export function eventsJsonSchema(): Record<string, unknown> {
	return { title: 'n8n-loyalty rule event (one JSON object per line)', ...z.toJSONSchema(ruleEventSchema, { io: 'input', unrepresentable: 'any' }) };
}
