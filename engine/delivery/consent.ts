import { ConsentChannel, type ConsentRecord, type Customer } from '../model/customer';
import { DeliveryChannel, MessagePurpose } from './decision';
import { ALLOWED, refuse, RefusalReason, type Check } from './refusal';

type ConsentMap = Customer['consent'];

/** Which consent records permit a message, in the order they are consulted. */
function consentChannelsFor(channel: DeliveryChannel, purpose: MessagePurpose): ConsentChannel[] {
	if (channel === DeliveryChannel.Email) return [ConsentChannel.EmailMarketing];
	// Marketing SMS consent also covers service messages; transactional consent never covers marketing.
	return purpose === MessagePurpose.Marketing ? [ConsentChannel.SmsMarketing] : [ConsentChannel.SmsTransactional, ConsentChannel.SmsMarketing];
}

/**
 * Consent is judged on the newest record only, so a STOP received a second ago wins over any
 * grant before it. A record stamped after `now` is not yet known to this send and is ignored
 * unless it is a withdrawal, which takes effect at once whatever its clock says.
 */
export function checkConsent(consent: ConsentMap, channel: DeliveryChannel, purpose: MessagePurpose, now: Date): Check {
	const candidates = consentChannelsFor(channel, purpose);
	const records = candidates.map((c) => [c, consent[c]] as const).filter((entry): entry is readonly [ConsentChannel, ConsentRecord] => entry[1] !== undefined);
	// An SMS STOP withdraws every kind of SMS: carriers block the number, whatever the purpose.
	const withdrawal = records.find(([, r]) => !r.granted) ?? (channel === DeliveryChannel.Sms ? smsWithdrawal(consent) : undefined);
	if (withdrawal) {
		const [which, record] = withdrawal;
		return refuse(RefusalReason.ConsentWithdrawn, `${which} was withdrawn at ${record.at} (${record.source})`, { channel });
	}
	const grant = records.find(([, r]) => r.granted && Date.parse(r.at) <= now.getTime());
	if (!grant) return refuse(RefusalReason.NoConsent, `no ${candidates.join(' or ')} consent on record`, { channel });
	return ALLOWED;
}

function smsWithdrawal(consent: ConsentMap): readonly [ConsentChannel, ConsentRecord] | undefined {
	const marketing = consent[ConsentChannel.SmsMarketing];
	const transactional = consent[ConsentChannel.SmsTransactional];
	if (marketing && !marketing.granted) return [ConsentChannel.SmsMarketing, marketing];
	if (transactional && !transactional.granted) return [ConsentChannel.SmsTransactional, transactional];
	return undefined;
}

/** SMS keywords carriers and Twilio treat as opt-out / opt-in (Twilio Advanced Opt-Out defaults). */
export const SMS_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'] as const;
export const SMS_OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;

/** What an inbound SMS body means for consent: the whole trimmed message must be the keyword. */
export function smsKeywordIntent(body: string): 'opt_out' | 'opt_in' | undefined {
	const word = body.trim().replace(/[.!]+$/, '').toUpperCase();
	if ((SMS_OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'opt_out';
	if ((SMS_OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'opt_in';
	return undefined;
}

/** The consent records an SMS keyword writes: STOP withdraws all SMS, START restores marketing and service SMS. */
export function consentFromSmsKeyword(intent: 'opt_out' | 'opt_in', at: string, source: string, wordingVersion?: string): ConsentMap {
	const record: ConsentRecord = { granted: intent === 'opt_in', at, source, ...(wordingVersion ? { wordingVersion } : {}) };
	return { [ConsentChannel.SmsMarketing]: record, [ConsentChannel.SmsTransactional]: record };
}
