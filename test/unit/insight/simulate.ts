/** Seeded draws for simulation tests (mulberry32; Marsaglia–Tsang gamma). */
export function randomSource(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function normal(random: () => number): number {
	const u = 1 - random();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, rate). */
export function gammaDraw(random: () => number, shape: number, rate: number): number {
	if (shape < 1) return gammaDraw(random, shape + 1, rate) * Math.pow(1 - random(), 1 / shape);
	const d = shape - 1 / 3;
	const c = 1 / Math.sqrt(9 * d);
	for (;;) {
		const z = normal(random);
		const v = (1 + c * z) ** 3;
		if (v <= 0) continue;
		if (Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
	}
}

/** One BG/NBD customer observed for T: Poisson(λ) purchases, dropping out with p after each repeat. */
export function simulateBetaGeoCustomer(random: () => number, params: { r: number; alpha: number; a: number; b: number }, T: number): { frequency: number; recency: number; T: number } {
	const lambda = gammaDraw(random, params.r, params.alpha);
	const g1 = gammaDraw(random, params.a, 1);
	const p = g1 / (g1 + gammaDraw(random, params.b, 1));
	let t = 0;
	let frequency = 0;
	let recency = 0;
	for (;;) {
		t += -Math.log(1 - random()) / lambda;
		if (t > T) break;
		frequency++;
		recency = t;
		if (random() < p) break;
	}
	return { frequency, recency, T };
}
