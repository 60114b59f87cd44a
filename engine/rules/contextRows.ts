import { DateTime } from 'luxon';
import { isValidTimeZone, type ConsentChannel, type Customer } from '../model/customer';
import { channelOfOrder } from '../model/order';
import { computeAggregates, orderStats, placeStats, type OrderFacts } from './aggregates';
import type { CompiledRuleSet } from './compile';
import type { CapUsage, ChallengeReward, EvaluationContext, RuleEvent, RuleProfile, RunningChallenge } from './types';
import { listBadges } from '../badges';
import { countReferralsBy } from '../referral/rows';
import { findCustomerIds, getCustomer } from '../store/customers';
import type { Row, SqlClient } from '../store/db';

const DAY_MS = 86_400_000;
const IDENTITY_ORDER = ['loyalty', 'email', 'phone', 'square', 'woocommerce'];

interface OrderRow extends Row {
	source: string;
	id: string;
	placed_at: string;
	total_minor: number;
	refunded_minor: number;
	currency: string;
	payload: string;
}

function categoriesOf(lines: ReadonlyArray<{ category?: string }> | undefined): string[] {
	return [...new Set((lines ?? []).flatMap((l) => (l.category ? [l.category.toLowerCase()] : [])))];
}

/** An order's channel (its source's usual one when it names none) and location, as the place facts count them. */
function placeOf(source: string | undefined, order: { channel?: string; location?: string }): Pick<OrderFacts, 'channel' | 'location'> {
	const channel = channelOfOrder({ source, channel: order.channel });
	const location = typeof order.location === 'string' && order.location.trim() !== '' ? order.location.trim() : undefined;
	return { ...(channel ? { channel } : {}), ...(location ? { location } : {}) };
}

/** A customer not in the store yet is still counted consistently: by their first identity. */
function identityKey(event: RuleEvent): string {
	const identities = event.customer?.identities ?? {};
	for (const kind of IDENTITY_ORDER) if (identities[kind]) return `${kind}:${identities[kind]}`;
	const other = Object.keys(identities)
		.filter((kind) => identities[kind])
		.sort()[0];
	return other ? `${other}:${identities[other]}` : 'anonymous';
}

/** Profile fields that come from elsewhere (Segment Customer, the input item). */
export type ProfileExtras = Partial<Omit<RuleProfile, 'customerKey'>>;

/**
 * Everything `evaluate` needs for one event, read from the store: the profile, exactly the
 * windowed aggregates the rule set declares, and its counters (frequency, caps, the daily limit,
 * suppressions). Rows written for this same event are left out, so a re-run of a workflow sees
 * the state before its first run and decides the same way.
 */
export async function loadContext(sql: SqlClient, ruleSet: CompiledRuleSet, event: RuleEvent, now: Date, extras: ProfileExtras = {}): Promise<EvaluationContext> {
	const programId = ruleSet.program.id;
	const nowIso = now.toISOString();
	const ids = event.customer?.identities ? await findCustomerIds(sql, event.customer.identities) : [];
	const customer: Customer | undefined = ids.length > 0 ? await getCustomer(sql, [...ids].sort()[0]) : undefined;
	const customerKey = customer?.id ?? identityKey(event);
	// An unknown zone from an input field must not break calendar maths: the program's zone stands in.
	const zone = [extras.timeZone, customer?.timeZone, event.customer?.timeZone].find((z): z is string => typeof z === 'string' && isValidTimeZone(z)) ?? ruleSet.program.timeZone;

	const orders: OrderFacts[] = [];
	if (customer) {
		const rows = await sql.query<OrderRow>(
			`SELECT source, id, placed_at, total_minor, refunded_minor, currency, payload FROM orders WHERE customer_id = $1 AND status IN ('paid', 'refunded') AND placed_at <= $2`,
			[customer.id, nowIso],
		);
		for (const row of rows) {
			const payload = JSON.parse(row.payload) as { lines?: Array<{ category?: string }>; channel?: string; location?: string };
			orders.push({ key: `${row.source}:${row.id}`, placedAt: row.placed_at, netMinor: Number(row.total_minor) - Number(row.refunded_minor), currency: row.currency, categories: categoriesOf(payload.lines), ...placeOf(row.source, payload) });
		}
	}
	const current = event.order;
	// The rule may run before Award Points records this order; it counts either way, once.
	if (event.type === 'purchase' && current && (current.status === undefined || current.status === 'paid') && !orders.some((o) => o.key === `${current.source ?? event.source}:${current.id}`)) {
		orders.push({ key: `${current.source ?? event.source}:${current.id}`, placedAt: current.placedAt ?? event.occurredAt, netMinor: current.totalMinor, currency: current.currency, categories: categoriesOf(current.lines), ...placeOf(current.source ?? event.source, current) });
	}

	let tier: string | undefined;
	let pointsBalance: number | undefined;
	let visitCount: number | undefined;
	let saved: Pick<RuleProfile, 'segment' | 'lifecycle' | 'valueTier'> = {};
	if (customer) {
		const [account] = await sql.query<{ tier: string | null; available: number }>('SELECT tier, available FROM loyalty_accounts WHERE program_id = $1 AND customer_id = $2', [programId, customer.id]);
		tier = account?.tier ?? undefined;
		pointsBalance = account ? Number(account.available) : undefined;
		const [visits] = await sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM events WHERE customer_id = $1 AND type = 'visit' AND idempotency_key <> $2 AND occurred_at <= $3`, [customer.id, event.idempotencyKey, nowIso]);
		visitCount = Number(visits.n);
		// Saved by Segment Customer; fields given on the node (extras) still win.
		const [insight] = await sql.query<{ segment: string; lifecycle: string; value_tier: string }>('SELECT segment, lifecycle, value_tier FROM customer_insights WHERE program_id = $1 AND customer_id = $2', [programId, customer.id]);
		if (insight) saved = { segment: insight.segment, lifecycle: insight.lifecycle, valueTier: insight.value_tier };
	}
	if (event.type === 'visit') visitCount = (visitCount ?? 0) + 1;
	// Badges and perks: the badges held before this event (a re-run sees what its first run saw;
	// read only for rule sets that use badges), and the categories of every counted order, this one's included.
	const badges = customer && ruleSet.needsBadges !== false ? (await listBadges(sql, programId, customer.id, { exceptEventKey: event.idempotencyKey })).map((b) => b.badge) : undefined;
	const categoryCount = new Set(orders.flatMap((o) => o.categories)).size;
	const referralCount = customer && ruleSet.needsReferralCount ? await countReferralsBy(sql, programId, customer.id) : undefined;

	const profile: RuleProfile = {
		customerKey,
		...(customer ? { customerId: customer.id, badges } : {}),
		categoryCount,
		...(referralCount !== undefined ? { referralCount } : {}),
		...orderStats(orders),
		...placeStats(orders, event.type === 'purchase' ? placeOf(current?.source ?? event.source, current ?? {}).location : undefined),
		...(tier ? { tier } : {}),
		...(pointsBalance !== undefined ? { pointsBalance } : {}),
		...(visitCount !== undefined ? { visitCount } : {}),
		consent: customer ? (Object.entries(customer.consent).filter(([, r]) => r?.granted).map(([c]) => c) as ConsentChannel[]) : undefined,
		tags: customer?.tags ?? event.customer?.tags,
		birthday: customer?.birthday ?? event.customer?.birthday,
		...saved,
		...extras,
		timeZone: zone,
	};

	const counters = await loadCounters(sql, ruleSet, customerKey, event.idempotencyKey, now, zone);
	const runningChallenges = await loadRunningChallenges(sql, programId, customerKey, event.idempotencyKey, now, orders);
	return {
		event,
		profile,
		aggregates: computeAggregates(ruleSet.requiredAggregates, orders, now, zone),
		counters: runningChallenges.length > 0 ? { ...counters, runningChallenges } : counters,
	};
}

/**
 * The customer's challenges that run now, each with the paid purchases placed after it started
 * (the purchase that started it is not one of them) and up to now, this event's order included
 * once. A challenge this same event completed is read too, so a re-run decides the same; one
 * this same event started is not, as for every other row of this event.
 */
async function loadRunningChallenges(sql: SqlClient, programId: string, customerKey: string, eventKey: string, now: Date, orders: readonly OrderFacts[]): Promise<RunningChallenge[]> {
	const nowIso = now.toISOString();
	const nowMs = now.getTime();
	const rows = await sql.query<{ rule_id: string; source_event_key: string; challenge: string; goal: number; starts_at: string; ends_at: string; reward: string }>(
		`SELECT rule_id, source_event_key, challenge, goal, starts_at, ends_at, reward FROM rule_challenges
		 WHERE program_id = $1 AND customer_key = $2 AND starts_at <= $3 AND ends_at > $3 AND source_event_key <> $4 AND (completed_at IS NULL OR completed_by_event = $4)
		 ORDER BY ends_at, source_event_key, rule_id`,
		[programId, customerKey, nowIso, eventKey],
	);
	if (rows.length === 0) return [];
	const byTime = [...orders].sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	return rows.map((row) => {
		const from = Date.parse(row.starts_at);
		const purchases = byTime
			.filter((o) => {
				const at = Date.parse(o.placedAt);
				return at > from && at <= nowMs;
			})
			.map((o) => ({ key: o.key, placedAt: new Date(o.placedAt).toISOString(), netMinor: o.netMinor, currency: o.currency }));
		return { ruleId: row.rule_id, sourceEventKey: row.source_event_key, challenge: row.challenge, goal: Number(row.goal), startsAt: row.starts_at, endsAt: row.ends_at, reward: JSON.parse(row.reward) as ChallengeReward, purchases };
	});
}

async function loadCounters(sql: SqlClient, ruleSet: CompiledRuleSet, customerKey: string, eventKey: string, now: Date, customerZone: string): Promise<EvaluationContext['counters']> {
	const programId = ruleSet.program.id;
	const nowMs = now.getTime();
	const nowIso = now.toISOString();
	const dayStart = DateTime.fromJSDate(now, { zone: customerZone }).startOf('day').toJSDate();
	const longestWindow = Math.max(1, ...ruleSet.frequencyWindows.values());
	const since = new Date(Math.min(nowMs - longestWindow * DAY_MS, dayStart.getTime())).toISOString();
	const firings = await sql.query<{ rule_id: string; fired_at: string; reward: number; outcome: string }>(
		`SELECT rule_id, fired_at, reward, outcome FROM rule_firings WHERE program_id = $1 AND customer_key = $2 AND outcome IN ('fired', 'follow_up') AND fired_at >= $3 AND fired_at <= $4 AND event_key <> $5`,
		[programId, customerKey, since, nowIso, eventKey],
	);
	const ruleUses: Record<string, number> = {};
	let customerRewardsToday = 0;
	for (const firing of firings) {
		const at = Date.parse(firing.fired_at);
		const window = ruleSet.frequencyWindows.get(firing.rule_id);
		// A follow-up is part of the firing that scheduled it, not a new use of the rule.
		if (window !== undefined && firing.outcome === 'fired' && at > nowMs - window * DAY_MS) ruleUses[firing.rule_id] = (ruleUses[firing.rule_id] ?? 0) + 1;
		if (Number(firing.reward) === 1 && at >= dayStart.getTime()) customerRewardsToday++;
	}

	const capUsage: Record<string, CapUsage> = {};
	const requirements = [...ruleSet.requiredUsage.values()];
	if (requirements.length > 0) {
		// One statement for every cap and ceiling: each part sums one rule's (or the program's) period
		// over its firings and the bonus and challenge points it granted (which are not firings).
		const periodStart = (period: (typeof requirements)[number]['period']) => DateTime.fromJSDate(now, { zone: ruleSet.program.timeZone }).startOf(period).toJSDate().toISOString();
		const earliest = requirements.map((req) => periodStart(req.period)).sort()[0];
		const params: unknown[] = [programId, nowIso, eventKey, earliest];
		const parts = requirements.map((req) => {
			params.push(req.key, periodStart(req.period));
			const keyParam = `$${params.length - 1}`;
			const fromParam = `$${params.length}`;
			let ruleFilter = '';
			if (req.ruleId) {
				params.push(req.ruleId);
				ruleFilter = ` AND rule_id = $${params.length}`;
			}
			return `SELECT ${castText(sql, keyParam)} AS usage_key, COALESCE(SUM(points), 0) AS points, COALESCE(SUM(offers), 0) AS offers, COALESCE(SUM(cost_minor), 0) AS cost_minor, COALESCE(SUM(revenue_minor), 0) AS revenue_minor, COALESCE(SUM(firing), 0) AS firings
				FROM rule_usage WHERE used_at >= ${fromParam}${ruleFilter}`;
		});
		const usage = `WITH rule_usage AS (
			SELECT rule_id, fired_at AS used_at, points, offers, cost_minor, revenue_minor, 1 AS firing FROM rule_firings
			WHERE program_id = $1 AND outcome IN ('fired', 'follow_up') AND fired_at >= $4 AND fired_at <= $2 AND event_key <> $3
			UNION ALL
			SELECT rule_id, awarded_at, points, 0, cost_minor, revenue_minor, 0 FROM rule_extra_points
			WHERE program_id = $1 AND awarded_at >= $4 AND awarded_at <= $2 AND event_key <> $3
		) `;
		const rows = await sql.query<{ usage_key: string; points: number; offers: number; cost_minor: number; revenue_minor: number; firings: number }>(usage + parts.join(' UNION ALL '), params);
		for (const row of rows) {
			capUsage[row.usage_key] = { points: Number(row.points), offers: Number(row.offers), costMinor: Number(row.cost_minor), revenueMinor: Number(row.revenue_minor), firings: Number(row.firings) };
		}
	}

	const suppressedUntil: Record<string, string> = {};
	const suppressedBy: Record<string, string> = {};
	if (ruleSet.conflictGroups.size > 0) {
		const rows = await sql.query<{ rule_id: string; until: string; by_rule_id: string }>(
			`SELECT rule_id, until, by_rule_id FROM rule_suppressions WHERE program_id = $1 AND customer_key = $2 AND until > $3 AND source_event_key <> $4 ORDER BY rule_id, until DESC, by_rule_id`,
			[programId, customerKey, nowIso, eventKey],
		);
		for (const row of rows) {
			if (suppressedUntil[row.rule_id]) continue;
			suppressedUntil[row.rule_id] = row.until;
			suppressedBy[row.rule_id] = row.by_rule_id;
		}
	}
	const bonusRows = await sql.query<{ rule_id: string; event_key: string; categories: string; skus: string; multiplier: number; until: string }>(
		`SELECT rule_id, event_key, categories, skus, multiplier, until FROM rule_bonuses WHERE program_id = $1 AND customer_key = $2 AND starts_at <= $3 AND until > $3 AND event_key <> $4 ORDER BY rule_id, event_key`,
		[programId, customerKey, nowIso, eventKey],
	);
	const activeBonuses = bonusRows.map((row) => ({ ruleId: row.rule_id, sourceEventKey: row.event_key, categories: JSON.parse(row.categories) as string[], skus: JSON.parse(row.skus) as string[], multiplier: Number(row.multiplier), until: row.until }));
	return { ruleUses, customerRewardsToday, capUsage, suppressedUntil, suppressedBy, activeBonuses };
}

/** PostgreSQL cannot infer the type of a bare parameter in a SELECT list. */
function castText(sql: SqlClient, param: string): string {
	return sql.dialect === 'postgres' ? `CAST(${param} AS TEXT)` : param;
}
