import type { IHookFunctions } from 'n8n-workflow';

/**
 * The webhook lifecycle of a node whose URL is set up by hand (the owner pastes it into CartFlows,
 * Klaviyo, Twilio or their own system, or opens it in a browser): there is nothing to register or
 * remove, but n8n needs the three methods to activate the path.
 */
export const REGISTERED_BY_HAND = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		return true;
	},
	async create(this: IHookFunctions): Promise<boolean> {
		return true;
	},
	async delete(this: IHookFunctions): Promise<boolean> {
		return true;
	},
};
