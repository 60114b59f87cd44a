import { DateTime } from 'luxon';
import { productPurchasesOf, replenishmentSchedule, withReplenishmentDates } from '../insight';
import { lotsFromEntries } from '../ledger/lots';
import type { Cart } from '../model/cart';
import { isValidTimeZone, type Birthday, type Customer } from '../model/customer';
import { birthdayCandidates, birthdayDue } from './birthday';
import { dayNumberOfInstant, inactivityThresholdDays } from './inactivity';
import { DUE_EVENT_TYPE_OF, DueKind, parseScheduleSettings, type ResolvedScheduleSettings, type ScheduleSettings } from './settings';
import type { DueEvent } from './types';
import { findCustomerIds, getCustomer } from '../store/customers';
import type { Db, Dialect, SqlClient } from '../store/db';
import { orderBaskets } from '../insight/basketRows';
import { listEntries } from '../ledger/ledgerRows';
import { claimDueFollowUps } from '../rules';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Orders that count as purchases everywhere in the store: paid, including later refunded ones. */
const PAID = `status IN ('paid', 'refunded')`;

/** One occurrence that is due; it becomes an event only if this caller's claim row is the one inserted. */
interface Candidate {
	kind: DueKind;
	customerId: string;
	occurrence: string;
	occurredAt: string;
	data: Record<string, unknown>;
	cart?: DueEvent['cart'];
}

type Programme = ResolvedScheduleSettings;

export function dueEventKey(kind: DueKind, customerId: string, occurrence: string): string {
	return `due:${kind}:${customerId}:${occurrence}`;
}

/** A claimed occurrence of a kind, as `customerId → occurrences`, for the kinds whose occurrence is decided in JS. */
async function claimedSince(sql: SqlClient, programId: string, kind: DueKind, since: string): Promise<Map<string, Set<string>>> {
	const rows = await sql.query<{ customer_id: string; occurrence: string }>('SELECT customer_id, occurrence FROM due_emissions WHERE program_id = $1 AND kind = $2 AND emitted_at >= $3', [programId, kind, since]);
	const claimed = new Map<string, Set<string>>();
	for (const row of rows) {
		const set = claimed.get(row.customer_id) ?? new Set<string>();
		set.add(row.occurrence);
		claimed.set(row.customer_id, set);
	}
	return claimed;
}

function notClaimed(alias: string, kind: DueKind, occurrence: string, programParam: string): string {
	return `NOT EXISTS (SELECT 1 FROM due_emissions d WHERE d.program_id = ${programParam} AND d.kind = '${kind}' AND d.customer_id = ${alias} AND d.occurrence = ${occurrence})`;
}

/** A number in the profile document (JSON text), read in each dialect's JSON syntax. */
function profileNumber(dialect: Dialect, ...path: string[]): string {
	return dialect === 'postgres' ? `CAST(CAST(c.profile AS jsonb) #>> '{${path.join(',')}}' AS INTEGER)` : `CAST(json_extract(c.profile, '$.${path.join('.')}') AS INTEGER)`;
}

/*
 * Birthdays live in the profile document, and a birthday is due on a local date that depends on
 * the customer's zone, which neither database can evaluate portably (SQLite has no time-zone
 * support). SQL therefore narrows the profiles to the month/day pairs that can be due somewhere
 * on Earth right now (at most three days, or two months), and luxon decides each one here.
 */
async function birthdays(sql: SqlClient, settings: Programme, now: Date): Promise<Candidate[]> {
	const birthday = settings.kinds.birthday!;
	const { dates, years } = birthdayCandidates(now, birthday);
	const params: unknown[] = [];
	const month = profileNumber(sql.dialect, 'birthday', 'month');
	const day = profileNumber(sql.dialect, 'birthday', 'day');
	const matches = dates.map((d) => {
		params.push(d.month);
		if (d.day === undefined) return `${month} = $${params.length}`;
		params.push(d.day);
		return `(${month} = $${params.length - 1} AND ${day} = $${params.length})`;
	});
	let unclaimed = '';
	// Around New Year the occurrence (local year) differs by zone; elsewhere claimed profiles are skipped in SQL.
	if (years.length === 1) {
		params.push(settings.programId, String(years[0]));
		unclaimed = ` AND ${notClaimed('c.id', DueKind.Birthday, `$${params.length}`, `$${params.length - 1}`)}`;
	}
	const rows = await sql.query<{ id: string; profile: string }>(`SELECT c.id, c.profile FROM customers c WHERE (${matches.join(' OR ')})${unclaimed} ORDER BY c.id`, params);
	const candidates: Candidate[] = [];
	for (const row of rows) {
		const profile = JSON.parse(row.profile) as { birthday?: Birthday; timeZone?: string };
		if (!profile.birthday) continue;
		const zone = profile.timeZone && isValidTimeZone(profile.timeZone) ? profile.timeZone : settings.programTimeZone;
		const due = birthdayDue(profile.birthday, zone, now, birthday);
		if (!due) continue;
		candidates.push({
			kind: DueKind.Birthday,
			customerId: row.id,
			occurrence: due.occurrence,
			occurredAt: due.dueAt,
			data: { birthday: { date: due.birthdayDate, month: profile.birthday.month, day: profile.birthday.day, ...(due.age !== undefined ? { age: due.age } : {}) }, localDate: due.localDate, timeZone: zone, when: birthday.when },
		});
	}
	return candidates.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.customerId.localeCompare(b.customerId));
}

/**
 * Customers whose latest paid order is at least `days` old and whose lapse (that order) has not
 * been claimed. The aggregate runs in SQL; only lapsed customers come back.
 */
function lapsesSql(programParam: string, cutoffParam: string): string {
	return `
WITH last_orders AS (
	SELECT customer_id, MAX(placed_at) AS last_at FROM orders WHERE ${PAID} GROUP BY customer_id HAVING MAX(placed_at) <= ${cutoffParam}
), lapses AS (
	SELECT o.customer_id, l.last_at, MIN(o.source || ':' || o.id) AS order_key
	FROM orders o JOIN last_orders l ON l.customer_id = o.customer_id AND o.placed_at = l.last_at
	WHERE o.${PAID}
	GROUP BY o.customer_id, l.last_at
), pending AS (
	SELECT customer_id, last_at, order_key FROM lapses WHERE ${notClaimed('lapses.customer_id', DueKind.Inactivity, 'lapses.order_key', programParam)}
)`;
}

async function inactivity(sql: SqlClient, settings: Programme, now: Date, limit: number): Promise<Candidate[]> {
	const inactivity = settings.kinds.inactivity!;
	const cutoff = new Date(now.getTime() - inactivity.days * DAY_MS).toISOString();
	const params = [settings.programId, cutoff];
	const cte = lapsesSql('$1', '$2');
	// Without the rhythm the SQL filter is exact, so a page of the oldest lapses is enough.
	const page = inactivity.relativeToRhythm ? '' : ` LIMIT ${limit}`;
	const lapses = await sql.query<{ customer_id: string; last_at: string; order_key: string }>(`${cte} SELECT customer_id, last_at, order_key FROM pending ORDER BY last_at, customer_id${page}`, params);
	const purchaseDays = new Map<string, number[]>();
	if (inactivity.relativeToRhythm && lapses.length) {
		for (const row of await sql.query<{ customer_id: string; placed_at: string }>(`${cte} SELECT o.customer_id, o.placed_at FROM orders o JOIN pending p ON p.customer_id = o.customer_id WHERE o.${PAID}`, params)) {
			const days = purchaseDays.get(row.customer_id) ?? [];
			days.push(dayNumberOfInstant(row.placed_at));
			purchaseDays.set(row.customer_id, days);
		}
	}
	const candidates: Candidate[] = [];
	for (const lapse of lapses) {
		const { thresholdDays, medianGapDays } = inactivityThresholdDays(inactivity, purchaseDays.get(lapse.customer_id));
		const lastMs = Date.parse(lapse.last_at);
		const dueMs = lastMs + Math.round(thresholdDays * DAY_MS);
		if (dueMs > now.getTime()) continue;
		const colon = lapse.order_key.indexOf(':');
		candidates.push({
			kind: DueKind.Inactivity,
			customerId: lapse.customer_id,
			occurrence: lapse.order_key,
			occurredAt: new Date(dueMs).toISOString(),
			data: {
				lastOrder: { source: lapse.order_key.slice(0, colon), id: lapse.order_key.slice(colon + 1), placedAt: lapse.last_at },
				daysInactive: Math.floor((now.getTime() - lastMs) / DAY_MS),
				thresholdDays,
				...(medianGapDays !== undefined ? { medianGapDays } : {}),
			},
		});
	}
	return candidates;
}

/*
 * The population interval of each product needs every customer's purchases, so the paid orders
 * are read once per poll and the insight module's replenishment maths runs for all customers at
 * once (line items are in the order documents, which SQL cannot read portably).
 */
async function replenishment(sql: SqlClient, settings: Programme, now: Date): Promise<Candidate[]> {
	const options = settings.kinds.replenishment!;
	const today = Math.floor(now.getTime() / DAY_MS);
	const due = replenishmentSchedule(productPurchasesOf(await orderBaskets(sql, now.toISOString())), options).filter((d) => d.remindDay <= today && today <= d.dueDay + options.maxDaysLate);
	if (!due.length) return [];
	// Any claim of an item still due was made on or after its reminder day.
	const claimed = await claimedSince(sql, settings.programId, DueKind.Replenishment, new Date(Math.min(...due.map((d) => d.remindDay)) * DAY_MS).toISOString());
	const candidates: Candidate[] = [];
	for (const item of due) {
		const dated = withReplenishmentDates(item);
		const occurrence = `${item.product}:${dated.lastDate}`;
		if (claimed.get(item.customerId)?.has(occurrence)) continue;
		candidates.push({
			kind: DueKind.Replenishment,
			customerId: item.customerId,
			occurrence,
			occurredAt: new Date(item.remindDay * DAY_MS).toISOString(),
			data: { product: item.product, lastDate: dated.lastDate, remindDate: dated.remindDate, dueDate: dated.dueDate, daysPerUnit: item.daysPerUnit, ownIntervals: item.ownIntervals, daysLeft: item.dueDay - today },
		});
	}
	return candidates.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.customerId.localeCompare(b.customerId));
}

/** Open carts idle long enough, worth enough, with no paid order by the customer since they last changed. */
async function abandonedCarts(sql: SqlClient, settings: Programme, now: Date, limit: number): Promise<Candidate[]> {
	const carts = settings.kinds.cartAbandoned!;
	const params: unknown[] = [settings.programId, new Date(now.getTime() - Math.round(carts.idleHours * HOUR_MS)).toISOString()];
	let worth = '';
	if (carts.minTotalMinor) {
		params.push(settings.currency, carts.minTotalMinor);
		worth = ` AND c.currency = $3 AND c.total_minor >= $4`;
	}
	const rows = await sql.query<{ source: string; id: string; customer_id: string; currency: string; total_minor: number; payload: string; updated_at: string }>(
		`SELECT c.source, c.id, c.customer_id, c.currency, c.total_minor, c.payload, c.updated_at FROM carts c
		 WHERE c.status = 'open' AND c.updated_at <= $2${worth}
			AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND o.${PAID} AND o.placed_at >= c.updated_at)
			AND ${notClaimed('c.customer_id', DueKind.CartAbandoned, `c.source || ':' || c.id || ':' || c.updated_at`, '$1')}
		 ORDER BY c.updated_at, c.source, c.id LIMIT ${limit}`,
		params,
	);
	return rows.map((row) => {
		const cart = JSON.parse(row.payload) as Cart;
		const updatedMs = Date.parse(row.updated_at);
		return {
			kind: DueKind.CartAbandoned,
			customerId: row.customer_id,
			occurrence: `${row.source}:${row.id}:${row.updated_at}`,
			occurredAt: new Date(updatedMs + Math.round(carts.idleHours * HOUR_MS)).toISOString(),
			cart: { id: row.id, currency: row.currency, totalMinor: Number(row.total_minor), idleMinutes: Math.floor((now.getTime() - updatedMs) / 60_000), lines: cart.lines ?? [], ...(cart.checkoutUrl ? { checkoutUrl: cart.checkoutUrl } : {}) },
			data: { cart: { source: row.source, id: row.id, updatedAt: row.updated_at } },
		};
	});
}

/**
 * Customers with unspent points that expire within the window. What is unspent comes from the
 * ledger's own lot bookkeeping (spending draws from the soonest-expiring lots first), not from a
 * sum of earns, and never exceeds the spendable balance, as the ledger's expiry does. One event
 * per customer per expiry date (program's calendar): the soonest date not yet told.
 */
async function expiringPoints(sql: SqlClient, settings: Programme, now: Date): Promise<Candidate[]> {
	const withinDays = settings.kinds.pointsExpiring!.withinDays;
	const nowIso = now.toISOString();
	const horizon = new Date(now.getTime() + withinDays * DAY_MS).toISOString();
	const dateOf = (iso: string): string => DateTime.fromISO(iso, { zone: settings.programTimeZone }).toISODate()!;
	const rows = await sql.query<{ customer_id: string; expires_at: string }>(
		'SELECT customer_id, expires_at FROM ledger_entries WHERE program_id = $1 AND expires_at > $2 AND expires_at <= $3 ORDER BY customer_id',
		[settings.programId, nowIso, horizon],
	);
	// An occurrence in the window now was claimed, if at all, once it entered the window.
	const claimed = await claimedSince(sql, settings.programId, DueKind.PointsExpiring, new Date(now.getTime() - withinDays * DAY_MS - 1).toISOString());
	const open = new Set<string>();
	for (const row of rows) if (!claimed.get(row.customer_id)?.has(dateOf(row.expires_at))) open.add(row.customer_id);
	const candidates: Candidate[] = [];
	for (const customerId of open) {
		const [account] = await sql.query<{ available: number }>('SELECT available FROM loyalty_accounts WHERE program_id = $1 AND customer_id = $2', [settings.programId, customerId]);
		let spendable = Math.max(Number(account?.available ?? 0), 0);
		const lots = [...lotsFromEntries(await listEntries(sql, settings.programId, customerId)).values()]
			.filter((lot) => lot.phase === 'available' && lot.remaining > 0 && lot.expiresAt !== undefined && lot.expiresAt > nowIso && lot.expiresAt <= horizon)
			.sort((a, b) => a.expiresAt!.localeCompare(b.expiresAt!) || a.id - b.id);
		const byDate = new Map<string, { points: number; expiresAt: string }>();
		let total = 0;
		for (const lot of lots) {
			const points = Math.min(lot.remaining, spendable);
			if (points <= 0) break;
			spendable -= points;
			total += points;
			const date = dateOf(lot.expiresAt!);
			const entry = byDate.get(date) ?? { points: 0, expiresAt: lot.expiresAt! };
			entry.points += points;
			byDate.set(date, entry);
		}
		const [first] = byDate.entries();
		if (!first) continue;
		const [date, soonest] = first;
		if (claimed.get(customerId)?.has(date)) continue;
		candidates.push({
			kind: DueKind.PointsExpiring,
			customerId,
			occurrence: date,
			occurredAt: new Date(Math.max(Date.parse(soonest.expiresAt) - withinDays * DAY_MS, 0)).toISOString(),
			data: { points: soonest.points, expiresAt: soonest.expiresAt, expiryDate: date, pointsWithinDays: total, withinDays },
		});
	}
	return candidates.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.customerId.localeCompare(b.customerId));
}

/** Accounts whose last tier review is `reviewEveryDays` old: the ledger applies the review on its next write or maintenance. */
async function tierReviews(sql: SqlClient, settings: Programme, now: Date, limit: number): Promise<Candidate[]> {
	const days = settings.kinds.tierReview!.reviewEveryDays;
	const rows = await sql.query<{ customer_id: string; tier: string | null; tier_reviewed_at: string }>(
		`SELECT a.customer_id, a.tier, a.tier_reviewed_at FROM loyalty_accounts a
		 WHERE a.program_id = $1 AND a.tier_reviewed_at IS NOT NULL AND a.tier_reviewed_at <= $2 AND ${notClaimed('a.customer_id', DueKind.TierReview, 'a.tier_reviewed_at', '$1')}
		 ORDER BY a.tier_reviewed_at, a.customer_id LIMIT ${limit}`,
		[settings.programId, new Date(now.getTime() - days * DAY_MS).toISOString()],
	);
	return rows.map((row) => ({
		kind: DueKind.TierReview,
		customerId: row.customer_id,
		occurrence: row.tier_reviewed_at,
		occurredAt: new Date(Date.parse(row.tier_reviewed_at) + days * DAY_MS).toISOString(),
		data: { tier: row.tier ?? null, reviewedAt: row.tier_reviewed_at, reviewEveryDays: days },
	}));
}

/**
 * Challenges an Evaluate Rules rule started that are neither completed nor over and end within
 * `daysBefore` days: one event per challenge (its starting event and rule are the occurrence),
 * with the purchases counted so far. Only customers in the store can be told.
 */
async function challengeDeadlines(sql: SqlClient, settings: Programme, now: Date, limit: number): Promise<Candidate[]> {
	const daysBefore = settings.kinds.challengeDeadline!.daysBefore;
	const occurrence = `ch.source_event_key || ':' || ch.rule_id`;
	const rows = await sql.query<{ customer_key: string; source_event_key: string; rule_id: string; challenge: string; goal: number; starts_at: string; ends_at: string; progress: number }>(
		`SELECT ch.customer_key, ch.source_event_key, ch.rule_id, ch.challenge, ch.goal, ch.starts_at, ch.ends_at,
			(SELECT COUNT(*) FROM orders o WHERE o.customer_id = ch.customer_key AND o.${PAID} AND o.placed_at > ch.starts_at AND o.placed_at <= $2) AS progress
		 FROM rule_challenges ch JOIN customers c ON c.id = ch.customer_key
		 WHERE ch.program_id = $1 AND ch.completed_at IS NULL AND ch.ends_at > $2 AND ch.ends_at <= $3 AND ${notClaimed('ch.customer_key', DueKind.ChallengeDeadline, occurrence, '$1')}
		 ORDER BY ch.ends_at, ch.customer_key, ch.source_event_key, ch.rule_id LIMIT ${limit}`,
		[settings.programId, now.toISOString(), new Date(now.getTime() + daysBefore * DAY_MS).toISOString()],
	);
	return rows.map((row) => ({
		kind: DueKind.ChallengeDeadline,
		customerId: row.customer_key,
		occurrence: `${row.source_event_key}:${row.rule_id}`,
		// Due from daysBefore before the end, or from the start for a challenge shorter than that.
		occurredAt: new Date(Math.max(Date.parse(row.ends_at) - daysBefore * DAY_MS, Date.parse(row.starts_at))).toISOString(),
		data: { challenge: row.challenge, goal: Number(row.goal), progress: Math.min(Number(row.progress), Number(row.goal)), endsAt: row.ends_at, startedAt: row.starts_at, ruleId: row.rule_id, daysBefore },
	}));
}

function customerOf(customer: Customer): DueEvent['customer'] {
	return {
		identities: { ...customer.identities },
		...(customer.timeZone ? { timeZone: customer.timeZone } : {}),
		...(customer.birthday ? { birthday: customer.birthday } : {}),
		...(customer.firstName ? { firstName: customer.firstName } : {}),
	};
}

/**
 * Claims the due events at `now` for one program and returns them, at most `limit`. Each
 * occurrence is claimed by inserting its row in `due_emissions`; only rows this caller inserted
 * become events, so several pollers (processes, n8n workers) never emit one twice and a restart
 * never re-emits. Run it inside one transaction (claimDueEventsFrom does): on PostgreSQL a
 * concurrent claimer of the same row waits for this one to commit and then inserts nothing.
 * Occurrences beyond `limit` stay unclaimed and come with the next poll.
 */
export async function claimDueEvents(sql: SqlClient, input: ScheduleSettings, now: Date, limit = 500): Promise<DueEvent[]> {
	const settings = parseScheduleSettings(input);
	const max = Math.max(1, Math.floor(limit));
	const nowIso = now.toISOString();
	const { kinds } = settings;
	const events: DueEvent[] = [];

	if (kinds.followUps) {
		for (const followUp of await claimDueFollowUps(sql, settings.programId, now, max)) {
			const [customerId] = await findCustomerIds(sql, followUp.customer?.identities ?? {});
			const customer = customerId ? await getCustomer(sql, customerId) : undefined;
			const detail = followUp.data?.followUp as { ruleId: string; sourceEventKey: string };
			events.push({
				...followUp,
				type: DUE_EVENT_TYPE_OF.follow_up,
				source: 'schedule',
				customer: customer ? customerOf(customer) : { identities: followUp.customer?.identities ?? {} },
				data: { ...followUp.data, kind: DueKind.FollowUp, customerId: customerId ?? '', occurrence: `${detail.sourceEventKey}:${detail.ruleId}` },
			});
		}
	}

	// Carts first: they are the most time-sensitive; then the calendar kinds.
	const finders: Array<(room: number) => Promise<Candidate[]>> = [];
	if (kinds.cartAbandoned) finders.push((room) => abandonedCarts(sql, settings, now, room));
	if (kinds.birthday) finders.push(() => birthdays(sql, settings, now));
	if (kinds.pointsExpiring) finders.push(() => expiringPoints(sql, settings, now));
	if (kinds.inactivity) finders.push((room) => inactivity(sql, settings, now, room));
	if (kinds.replenishment) finders.push(() => replenishment(sql, settings, now));
	if (kinds.tierReview) finders.push((room) => tierReviews(sql, settings, now, room));
	if (kinds.challengeDeadline) finders.push((room) => challengeDeadlines(sql, settings, now, room));

	for (const find of finders) {
		if (events.length >= max) break;
		for (const candidate of await find(max - events.length)) {
			if (events.length >= max) break;
			const key = dueEventKey(candidate.kind, candidate.customerId, candidate.occurrence);
			const inserted = await sql.execute(
				'INSERT INTO due_emissions (program_id, kind, customer_id, occurrence, event_key, emitted_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
				[settings.programId, candidate.kind, candidate.customerId, candidate.occurrence, key, nowIso],
			);
			if (inserted === 0) continue;
			const customer = await getCustomer(sql, candidate.customerId);
			// An erased customer's pseudonym has orders and points but nobody to tell: claimed, never emitted.
			if (!customer || Object.keys(customer.identities).length === 0) continue;
			events.push({
				type: DUE_EVENT_TYPE_OF[candidate.kind],
				occurredAt: candidate.occurredAt,
				idempotencyKey: key,
				source: 'schedule',
				customer: customerOf(customer),
				...(candidate.cart ? { cart: candidate.cart } : {}),
				data: { kind: candidate.kind, customerId: candidate.customerId, occurrence: candidate.occurrence, ...candidate.data },
			});
		}
	}
	return events;
}

/**
 * Claims the time-based events due at `now` (birthdays, lapses, carts, expiring points…), each
 * once per customer per occurrence across every process sharing this store, and returns them as
 * rule events. A restart never re-emits; an event left unhandled by the caller is not retried.
 */
export async function claimDueEventsFrom(store: { readonly db: Db }, settings: ScheduleSettings, now: Date = new Date(), limit = 500): Promise<DueEvent[]> {
	parseScheduleSettings(settings);
	return store.db.transaction((sql) => claimDueEvents(sql, settings, now, limit));
}
