import type { INodePropertyOptions } from 'n8n-workflow';

import { OPERATORS, RULE_TRIGGER_DESCRIPTIONS, RULE_TRIGGERS } from '../../../engine';
import { titleCase } from '../../shared/labels';

/** The engine's triggers as options: the value is the trigger, the words are the engine's. */
export const TRIGGER_OPTIONS: INodePropertyOptions[] = RULE_TRIGGERS.map((trigger) => ({ name: titleCase(trigger), value: trigger, description: RULE_TRIGGER_DESCRIPTIONS[trigger] }));

/** The engine's condition operators as options. */
export const OPERATOR_OPTIONS: INodePropertyOptions[] = OPERATORS.map((operator) => ({ name: titleCase(operator.name), value: operator.name, description: operator.description }));
