/**
 * A best guess of a phone's time zone, used only when the profile has none: North American area
 * codes (the densest multi-zone numbering plan) and countries that have a single time zone.
 * Numbers of multi-zone countries without an entry here fall back to the program's zone.
 */
const NANP_AREA_CODES: Record<string, string> = {
	// Eastern
	'201': 'America/New_York', '202': 'America/New_York', '203': 'America/New_York', '212': 'America/New_York', '215': 'America/New_York',
	'216': 'America/New_York', '301': 'America/New_York', '305': 'America/New_York', '313': 'America/Detroit', '404': 'America/New_York',
	'407': 'America/New_York', '412': 'America/New_York', '416': 'America/Toronto', '514': 'America/Toronto', '516': 'America/New_York',
	'617': 'America/New_York', '646': 'America/New_York', '704': 'America/New_York', '718': 'America/New_York', '786': 'America/New_York',
	'813': 'America/New_York', '917': 'America/New_York', '919': 'America/New_York', '954': 'America/New_York', '347': 'America/New_York',
	// Central
	'214': 'America/Chicago', '312': 'America/Chicago', '314': 'America/Chicago', '469': 'America/Chicago', '504': 'America/Chicago',
	'512': 'America/Chicago', '612': 'America/Chicago', '615': 'America/Chicago', '713': 'America/Chicago', '773': 'America/Chicago',
	'816': 'America/Chicago', '832': 'America/Chicago', '901': 'America/Chicago', '972': 'America/Chicago', '204': 'America/Winnipeg',
	// Mountain
	'303': 'America/Denver', '385': 'America/Denver', '406': 'America/Denver', '505': 'America/Denver', '720': 'America/Denver',
	'801': 'America/Denver', '403': 'America/Edmonton', '780': 'America/Edmonton', '480': 'America/Phoenix', '602': 'America/Phoenix',
	// Pacific
	'206': 'America/Los_Angeles', '213': 'America/Los_Angeles', '310': 'America/Los_Angeles', '323': 'America/Los_Angeles',
	'408': 'America/Los_Angeles', '415': 'America/Los_Angeles', '503': 'America/Los_Angeles', '510': 'America/Los_Angeles',
	'619': 'America/Los_Angeles', '650': 'America/Los_Angeles', '702': 'America/Los_Angeles', '818': 'America/Los_Angeles',
	'604': 'America/Vancouver', '778': 'America/Vancouver',
	// Alaska, Hawaii
	'907': 'America/Anchorage', '808': 'Pacific/Honolulu',
};

/** Longest prefix first: +353 must not be read as +35. */
const SINGLE_ZONE_COUNTRIES: Array<[string, string]> = [
	['353', 'Europe/Dublin'], ['351', 'Europe/Lisbon'], ['358', 'Europe/Helsinki'], ['972', 'Asia/Jerusalem'], ['971', 'Asia/Dubai'],
	['852', 'Asia/Hong_Kong'], ['886', 'Asia/Taipei'], ['420', 'Europe/Prague'], ['966', 'Asia/Riyadh'],
	['44', 'Europe/London'], ['49', 'Europe/Berlin'], ['33', 'Europe/Paris'], ['34', 'Europe/Madrid'], ['39', 'Europe/Rome'],
	['31', 'Europe/Amsterdam'], ['32', 'Europe/Brussels'], ['41', 'Europe/Zurich'], ['43', 'Europe/Vienna'], ['45', 'Europe/Copenhagen'],
	['46', 'Europe/Stockholm'], ['47', 'Europe/Oslo'], ['48', 'Europe/Warsaw'], ['30', 'Europe/Athens'], ['36', 'Europe/Budapest'],
	['40', 'Europe/Bucharest'], ['90', 'Europe/Istanbul'], ['27', 'Africa/Johannesburg'], ['20', 'Africa/Cairo'], ['234', 'Africa/Lagos'],
	['81', 'Asia/Tokyo'], ['82', 'Asia/Seoul'], ['86', 'Asia/Shanghai'], ['91', 'Asia/Kolkata'], ['65', 'Asia/Singapore'],
	['66', 'Asia/Bangkok'], ['63', 'Asia/Manila'], ['60', 'Asia/Kuala_Lumpur'], ['64', 'Pacific/Auckland'], ['54', 'America/Argentina/Buenos_Aires'],
	['57', 'America/Bogota'], ['51', 'America/Lima'],
].sort((a, b) => b[0].length - a[0].length) as Array<[string, string]>;

export function timeZoneFromPhone(e164: string | undefined): string | undefined {
	if (!e164 || !/^\+[1-9]\d{6,14}$/.test(e164)) return undefined;
	const digits = e164.slice(1);
	if (digits.startsWith('1')) return NANP_AREA_CODES[digits.slice(1, 4)];
	return SINGLE_ZONE_COUNTRIES.find(([prefix]) => digits.startsWith(prefix))?.[1];
}

/** The customer's zone for calendar rules and quiet hours: profile, else phone, else the program's. */
export function customerTimeZone(profileZone: string | undefined, phone: string | undefined, programZone: string): { zone: string; from: 'profile' | 'phone' | 'program' } {
	if (profileZone) return { zone: profileZone, from: 'profile' };
	const fromPhone = timeZoneFromPhone(phone);
	if (fromPhone) return { zone: fromPhone, from: 'phone' };
	return { zone: programZone, from: 'program' };
}
