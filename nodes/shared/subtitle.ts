import type { INodePropertyOptions } from 'n8n-workflow';

/**
 * A subtitle expression that shows the chosen option's name, as the panel shows it, instead of
 * its stored value ("From WooCommerce", not "From woocommerce"). For a multiOptions parameter the
 * names are joined with commas.
 */
export function optionNameSubtitle(prefix: string, parameter: string, options: INodePropertyOptions[], kind: 'one' | 'many' = 'one'): string {
	const names = JSON.stringify(Object.fromEntries(options.map((option) => [String(option.value), option.name])));
	const value = `$parameter[${JSON.stringify(parameter)}]`;
	const shown = kind === 'one' ? `(${names}[${value}] ?? ${value})` : `(${value} || []).map((v) => ${names}[v] ?? v).join(", ")`;
	return `={{ ${JSON.stringify(prefix)} + ${shown} }}`;
}

