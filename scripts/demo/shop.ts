/**
 * The demo's coffee shop, as data: its customers (generated from a fixed seed, so every run has
 * the same people), the counter menu, and the three weeks of orders before the demo day. Pure: no
 * I/O, no clock. The day itself is in day.ts.
 */
import { PRODUCTS } from '../../test/e2e/support/templates';

/** The demo day starts at 07:00 in New York (the program's zone) on Tuesday 10 November 2026. */
export const DAY = { date: '2026-11-10', opensAt: new Date('2026-11-10T12:00:00Z'), label: 'Tuesday 10 November 2026' };
export const HOUR = 3_600_000;
export const DAY_MS = 24 * HOUR;

export interface Person {
	key: string;
	firstName: string;
	lastName: string;
	email: string;
	/** Only for customers who agreed to texts at checkout. */
	phone?: string;
	birthday?: { month: number; day: number };
}

/** What a counter sells (Square), in cents. */
export const MENU = {
	latte: { name: 'Latte', one: 'a latte', many: 'lattes', cents: 475 },
	flatWhite: { name: 'Flat white', one: 'a flat white', many: 'flat whites', cents: 450 },
	espresso: { name: 'Espresso', one: 'an espresso', many: 'espressos', cents: 300 },
	croissant: { name: 'Butter croissant', one: 'a croissant', many: 'croissants', cents: 350 },
	muffin: { name: 'Blueberry muffin', one: 'a blueberry muffin', many: 'blueberry muffins', cents: 375 },
	beans: { name: 'House beans 1 kg', one: 'a bag of house beans', many: 'bags of house beans', cents: 2400 },
} as const;

/** "2 lattes, a croissant and a bag of house beans". */
export function listed(parts: string[]): string {
	return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
export type MenuItem = keyof typeof MENU;

const FIRST = ['Ana', 'Ben', 'Carl', 'Dana', 'Eli', 'Finn', 'Gia', 'Hana', 'Iris', 'Jon', 'Kai', 'Lena', 'Milo', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wes', 'Xin', 'Yuki', 'Zoe', 'Ada', 'Bea', 'Cruz', 'Dev', 'Emma', 'Femi', 'Gus', 'Hugo', 'Ivo', 'Jade'];
const LAST = ['Silva', 'Okafor', 'Novak', 'Reyes', 'Brooks', 'Lindqvist', 'Moreau', 'Tanaka', 'Kowalski', 'Haddad', 'Nguyen', 'Costa', 'Fischer', 'Patel', 'Oliveira', 'Murphy', 'Rossi', 'Khan'];

/** A small, seeded pseudo-random generator (mulberry32): the same customers and history every run. */
export function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The 36 customers. Dana and Finn (and every fourth customer) agreed to texts; Kai's birthday is today. */
export function customers(): Person[] {
	const random = seeded(2026);
	return FIRST.map((firstName, index) => {
		const lastName = LAST[Math.floor(random() * LAST.length)];
		const key = firstName.toLowerCase();
		const texts = key === 'dana' || key === 'finn' || index % 4 === 2;
		return {
			key,
			firstName,
			lastName,
			email: `${key}.${lastName.toLowerCase()}@example.com`,
			...(texts ? { phone: `+1212555${String(100 + index).padStart(4, '0')}` } : {}),
			birthday: key === 'kai' ? { month: 11, day: 10 } : notToday({ month: 1 + Math.floor(random() * 12), day: 1 + Math.floor(random() * 28) }),
		};
	});
}

/** Only Kai has a birthday on the demo day. */
function notToday(birthday: { month: number; day: number }): { month: number; day: number } {
	return birthday.month === 11 && birthday.day === 10 ? { month: 11, day: 11 } : birthday;
}

/** One order of the weeks before the demo day, booked as Award Points books it. */
export interface PastOrder {
	person: string;
	channel: 'counter' | 'web';
	at: Date;
	lines: Array<{ name: string; sku: string; category: string; quantity: number; cents: number }>;
}

/** Customers with a part in the day's story, whose history is written rather than drawn. */
const STORY = {
	/** Nothing for 64 days after $340 of tea and beans: the high-value win-back. */
	hana: [64, 80, 95].map((daysAgo, i) => ({ daysAgo, channel: 'web' as const, product: i === 0 ? 203 : 201, cents: [14000, 12000, 8000][i] })),
	/** Nothing for 66 days after one small web order: the modest win-back. */
	ivo: [{ daysAgo: 66, channel: 'web' as const, product: 202, cents: 3500 }],
	/** $470 over three weeks of office catering: one order short of $500. */
	priya: [20, 13, 6].map((daysAgo, i) => ({ daysAgo, channel: 'web' as const, product: 201, cents: [16000, 15000, 16000][i] })),
	/** Zoe has never ordered: her first order today earns the welcome bonus. */
	zoe: [],
};

/** Three weeks of orders before the demo day: regulars at the counter, some web orders. */
export function history(people: Person[]): PastOrder[] {
	const random = seeded(7);
	const orders: PastOrder[] = [];
	const product = (id: number) => PRODUCTS.find((p) => p.id === id)!;
	for (const person of people) {
		const written = (STORY as Record<string, Array<{ daysAgo: number; channel: 'counter' | 'web'; product: number; cents: number }>>)[person.key];
		if (written) {
			for (const order of written) {
				const p = product(order.product);
				orders.push({ person: person.key, channel: order.channel, at: new Date(DAY.opensAt.getTime() - order.daysAgo * DAY_MS + 3 * HOUR), lines: [{ name: p.name, sku: p.sku, category: p.categories[0], quantity: 1, cents: order.cents }] });
			}
			continue;
		}
		const visits = 2 + Math.floor(random() * 7);
		for (let i = 0; i < visits; i++) {
			const daysAgo = 1 + Math.floor(random() * 21);
			const at = new Date(DAY.opensAt.getTime() - daysAgo * DAY_MS + Math.floor(random() * 10 * 60) * 60_000);
			if (random() < 0.8) {
				const items = (['latte', 'flatWhite', 'espresso', 'croissant', 'muffin'] as const).filter(() => random() < 0.4);
				const lines = (items.length > 0 ? items : (['latte'] as const)).map((item) => ({ name: MENU[item].name, sku: item.toUpperCase(), category: item === 'croissant' || item === 'muffin' ? 'Pastries' : 'Coffee', quantity: 1, cents: MENU[item].cents }));
				orders.push({ person: person.key, channel: 'counter', at, lines });
			} else {
				const p = product([201, 203, 204][Math.floor(random() * 3)]);
				orders.push({ person: person.key, channel: 'web', at, lines: [{ name: p.name, sku: p.sku, category: p.categories[0], quantity: 1, cents: Math.round(Number(p.price) * 100) }] });
			}
		}
	}
	return orders.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export function dollars(cents: number): string {
	return `$${(cents / 100).toFixed(2)}`;
}
