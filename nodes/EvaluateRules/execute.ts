import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type CompiledRuleSet, compileRules, decideEvent, offerDecisionsFrom, rulesProgramOf, type ProfileExtras, type RuleEvent, type RuleInput, type RuleSetInput, type SqlClient, type Store } from '../../engine';
import { summarizeError, toNodeError } from '../shared/errors';
import { programStamp, readStoredProgram } from '../shared/program';
import { openStoreFor } from '../shared/store';
import { eventFromJson, eventFromMapping, type FieldMapping } from './helpers/eventMapping';
import { decisionJson, OUTPUTS, outputsFor } from './helpers/output';
import { rulesFromBuilder, rulesFromJson, rulesFromPresets, ruleSetDocument, type BuilderRule, type PresetSettings } from './helpers/ruleSource';

/** Thrown to roll a test-mode transaction back: the scratch copy of the counters is discarded. */
class DiscardTestRun extends Error {}

function ruleSetInput(this: IExecuteFunctions, itemIndex: number, program: RuleSetInput['program']): RuleSetInput {
	const source = this.getNodeParameter('rulesSource', itemIndex) as string;
	let rules: RuleInput[] | RuleSetInput;
	if (source === 'presets') rules = rulesFromPresets(this.getNodeParameter('presets', itemIndex, []) as string[], this.getNodeParameter('presetSettings', itemIndex, {}) as PresetSettings);
	else if (source === 'builder') {
		const builderRules = ((this.getNodeParameter('ruleBuilder', itemIndex, {}) as { rule?: BuilderRule[] }).rule ?? []) as BuilderRule[];
		// Version 1 took money conditions in minor units; 1.1 takes them in the currency's units.
		const currency = this.getNode().typeVersion >= 1.1 ? ((this.getNodeParameter('ruleCurrency', itemIndex, 'USD') as string).trim().toUpperCase() || 'USD') : undefined;
		const presetSettings = this.getNodeParameter('presetSettings', itemIndex, {}) as PresetSettings;
		rules = rulesFromBuilder(builderRules, { ...(currency ? { currency } : {}), presetSettings });
	}
	else rules = rulesFromJson(this.getNodeParameter('rulesJson', itemIndex));
	return ruleSetDocument(rules, program);
}

function eventOf(this: IExecuteFunctions, itemIndex: number): RuleEvent {
	if (this.getNodeParameter('eventInput', itemIndex) === 'canonical') return eventFromJson(this.getNodeParameter('event', itemIndex));
	const read = (name: string) => this.getNodeParameter(name, itemIndex, undefined) as never;
	const mapping: FieldMapping = {
		eventType: read('eventType'),
		eventKey: read('eventKey'),
		occurredAt: read('occurredAt'),
		identifyBy: read('identifyBy'),
		customerValue: read('customerValue'),
		amount: read('amount'),
		currency: read('currency'),
		categories: read('categories'),
		idleMinutes: read('idleMinutes'),
	};
	return eventFromMapping(mapping);
}

function extrasOf(this: IExecuteFunctions, itemIndex: number): ProfileExtras {
	const fields = this.getNodeParameter('profileFields', itemIndex, {}) as IDataObject;
	const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
	return Object.fromEntries(Object.entries({ segment: text(fields.segment), lifecycle: text(fields.lifecycle), timeZone: text(fields.timeZone) }).filter(([, v]) => v !== undefined));
}

/** Decisions are made at the event's own time (a late delivery is judged as it happened), never in the future. */
function decisionTime(event: RuleEvent): Date {
	const at = Date.parse(event.occurredAt);
	return new Date(Math.min(at, Date.now()));
}

/**
 * Evaluates every item and routes it to Award, Offer, Other Action and/or Nothing. Rules compile
 * once per distinct rule set in this execution. In test mode every item runs inside one
 * transaction that is rolled back: items see each other's counters, the store keeps none.
 */
export async function evaluateItems(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outputs: INodeExecutionData[][] = OUTPUTS.map(() => []);
	const compiled = new Map<string, CompiledRuleSet>();
	const testMode = this.getNodeParameter('testMode', 0, false) as boolean;
	const store = await openStoreFor(this);
	const programs = new Map<string, { rules: RuleSetInput['program']; stamp: ReturnType<typeof programStamp> }>();
	/** The stored program's settings, read once per run and program: every item of the run uses one version. */
	const programFor = async (itemIndex: number) => {
		const programId = String(this.getNodeParameter('programId', itemIndex, '') ?? '');
		let entry = programs.get(programId);
		if (!entry) {
			const program = await readStoredProgram(this, store as Store, programId);
			entry = { rules: rulesProgramOf(program.id, program.version, program.settings), stamp: programStamp(program) };
			programs.set(programId, entry);
		}
		return entry;
	};

	const decideItem = async (sql: SqlClient | undefined, itemIndex: number) => {
		try {
			const program = await programFor(itemIndex);
			const document = ruleSetInput.call(this, itemIndex, program.rules);
			const key = JSON.stringify(document);
			let ruleSet = compiled.get(key);
			if (!ruleSet) {
				ruleSet = compileRules(document);
				compiled.set(key, ruleSet);
			}
			const event = eventOf.call(this, itemIndex);
			const extras = extrasOf.call(this, itemIndex);
			const decide = (tx: SqlClient) => decideEvent(tx, ruleSet!, event, decisionTime(event), { extras });
			const decision = sql ? await decide(sql) : await store.transaction(decide);
			const json = { ...decisionJson(decision, testMode), program: { ...program.stamp.program } };
			delete program.stamp.program.notice;
			for (const output of outputsFor(decision)) {
				if (output !== 'offer') {
					outputs[OUTPUTS.indexOf(output)].push({ json, pairedItem: { item: itemIndex } });
					continue;
				}
				// One item per offer, shaped for Send Offer: one item is one message.
				const newTier = decision.fired.flatMap((f) => f.actions.filter((a) => a.type === 'set_tier').map((a) => a.tier as string)).pop();
				// The badge this decision awarded, for the wording of the offer that goes with it.
				const badge = decision.badgeAwards?.map((b) => b.name).join(', ');
				for (const { offer, action } of offerDecisionsFrom(decision, event)) {
					const personal: IDataObject = { ...(typeof action.category === 'string' ? { offerCategory: action.category } : {}), ...(newTier ? { tier: newTier } : {}), ...(badge ? { badge } : {}) };
					outputs[OUTPUTS.indexOf(output)].push({ json: { ...json, offer: offer as unknown as IDataObject, offerAction: action as unknown as IDataObject, personal }, pairedItem: { item: itemIndex } });
				}
			}
		} catch (error) {
			if (this.continueOnFail()) {
				const summary = summarizeError(error);
				outputs[OUTPUTS.indexOf('nothing')].push({ json: { error: summary.message, field: summary.field ?? null }, pairedItem: { item: itemIndex } });
				return;
			}
			throw toNodeError(this.getNode(), error, itemIndex);
		}
	};

	if (!testMode) {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) await decideItem(undefined, itemIndex);
		return outputs;
	}
	// The program is read (and, the first time, stored) before the test transaction opens: on SQLite
	// a write from inside it would wait for the lock the transaction itself holds. A program that
	// cannot be read fails its item inside, like any other bad input.
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) await programFor(itemIndex).catch(() => undefined);
	try {
		await store.transaction(async (sql) => {
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) await decideItem(sql, itemIndex);
			throw new DiscardTestRun('test mode: nothing is kept');
		});
	} catch (error) {
		if (!(error instanceof DiscardTestRun)) throw toNodeError(this.getNode(), error);
	}
	return outputs;
}
