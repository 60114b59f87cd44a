import type { IExecuteFunctions } from 'n8n-workflow';

import { square } from '../../../connectors';
import { n8nHttp } from '../../shared/http';

/** The Square client of the Square Loyalty mirror, through n8n's request helper. */
export async function squareClientFor(context: IExecuteFunctions): Promise<square.SquareClient> {
	const c = await context.getCredentials('loyaltySquareApi');
	const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
	return square.createSquareClient(n8nHttp(context), {
		accessToken: text(c.accessToken),
		environment: c.environment === 'sandbox' ? 'sandbox' : 'production',
		...(text(c.baseUrl) ? { baseUrl: text(c.baseUrl) } : {}),
	});
}
