import { z } from 'zod';

/**
 * An ISO 8601 date-time with an offset that is also a real instant. zod's pattern alone admits
 * offsets such as `+99:00`, which `Date` cannot read; such a value would pass validation and then
 * break whatever converts it (idempotency keys, ordering), so it is refused here, naming the field.
 */
export const isoInstant = z
	.string()
	.datetime({ offset: true })
	.refine((value) => Number.isFinite(Date.parse(value)), { message: 'Invalid datetime' });
