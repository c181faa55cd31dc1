/**
 * What a no-code user sees in n8n's editor (issue 28), read from the node descriptions: subtitles with
 * their units (evaluated by n8n-workflow's own expression engine, as the canvas does), options in a
 * natural order, a description on every parameter, no wording that belongs elsewhere, the triggers
 * listed under their app in the nodes panel, Docs links that survive n8n's tracking parameters.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyCollection,
	type INodePropertyOptions,
	type INodeType,
} from 'n8n-workflow';
import { FamulorBillingApi } from '../../credentials/FamulorBillingApi.credentials';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorBillingTrigger } from '../../nodes/FamulorBillingTrigger/FamulorBillingTrigger.node';
import { FamulorCallTrigger } from '../../nodes/FamulorCallTrigger/FamulorCallTrigger.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';

const ROOT = path.join(__dirname, '../..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[] };
};
const action = new FamulorBilling();
const threshold = new FamulorThresholdTrigger();
const spike = new FamulorSpikeTrigger();
const call = new FamulorCallTrigger();
const billingTrigger = new FamulorBillingTrigger();
const NODES: INodeType[] = [action, threshold, spike, call, billingTrigger];
const TRIGGERS: INodeType[] = [threshold, spike, call, billingTrigger];

/** The canvas subtitle of a node with these parameters (defaults filled in, as the editor does). */
function subtitleOf(type: INodeType, parameters: INodeParameters): unknown {
	const description = type.description;
	const node: INode = {
		id: 'n',
		name: 'Node',
		type: `${PACKAGE.name}.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	node.parameters = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description)!;
	const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) } as never;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, description.subtitle as string, 'internal', {});
}

describe('trigger subtitles carry their units', () => {
	test.each([
		[{}, 'spend ≥ 50, 80, 100 % of 500 / month'],
		[{ thresholdType: 'absolute', thresholds: '250' }, 'spend ≥ 250 (currency) / month'],
		[{ metric: 'minutes', thresholdType: 'absolute', thresholds: '600' }, 'billable minutes ≥ 600 min / month'],
		[{ metric: 'calls', thresholdType: 'absolute', thresholds: '100', period: 'day' }, 'calls ≥ 100 calls / day'],
		[{ metric: 'forecastSpend', period: 'billingCycle' }, 'forecast spend ≥ 50, 80, 100 % of 500 / billing cycle'],
		[{ metric: 'balance', thresholdType: 'absolute', thresholds: '50' }, 'balance ≤ 50 (currency)'],
		[{ groupBy: 'client', thresholds: '80' }, 'spend ≥ 80 % of budget / month, per client'],
		[{ groupBy: 'campaign', budget: 300, thresholds: '80' }, 'spend ≥ 80 % of 300 / month, per campaign'],
	])('Threshold Trigger %j → %s', (parameters, expected) => {
		expect(subtitleOf(threshold, parameters)).toBe(expected);
		expect(subtitleOf(billingTrigger, { event: 'threshold', ...parameters })).toBe(expected);
	});

	test.each([
		[{}, 'spend +100 % over usual / hour'],
		[
			{ metric: 'minutes', window: 'fifteenMinutes', minIncreasePercent: 200 },
			'billable minutes +200 % over usual / 15 min',
		],
		[
			{ metric: 'failedCalls', window: 'day', groupBy: 'phoneNumber' },
			'failed calls +100 % over usual / day, per number',
		],
	])('Spike Trigger %j → %s', (parameters, expected) => {
		expect(subtitleOf(spike, parameters)).toBe(expected);
		expect(subtitleOf(billingTrigger, { event: 'spike', ...parameters })).toBe(expected);
	});

	test.each([
		[{}, 'every call'],
		[{ minCost: 5 }, 'calls costing ≥ 5 (currency)'],
		[{ minCost: 5, minDurationMinutes: 10 }, 'calls costing ≥ 5 (currency), ≥ 10 min'],
		[{ minDurationMinutes: 10 }, 'every call, ≥ 10 min'],
	])('Call Trigger %j → %s', (parameters, expected) => {
		expect(subtitleOf(call, parameters)).toBe(expected);
		expect(subtitleOf(billingTrigger, { event: 'call', ...parameters })).toBe(expected);
	});

	test("the action node's subtitle stays n8n's own convention", () => {
		expect(subtitleOf(action, { resource: 'account', operation: 'getBalance' })).toBe('getBalance: account');
	});
});

/** Every parameter of a description, nested ones (collections, fixed collections) too, with its path. */
function allParameters(properties: INodeProperties[], prefix = ''): Array<{ path: string; property: INodeProperties }> {
	return properties.flatMap((property) => {
		const here = `${prefix}${property.displayName}`;
		const nested = (property.options ?? []).flatMap((option) => {
			if ('values' in (option as INodePropertyCollection)) {
				return allParameters((option as INodePropertyCollection).values, `${here} → `);
			}
			if ('type' in (option as INodeProperties)) return allParameters([option as INodeProperties], `${here} → `);
			return [];
		});
		return [{ path: here, property }, ...nested];
	});
}

const optionValues = (type: INodeType, name: string, show?: Record<string, string[]>) => {
	const property = type.description.properties.find(
		(p) =>
			p.name === name &&
			Object.entries(show ?? {}).every(([key, values]) => p.displayOptions?.show?.[key]?.[0] === values[0]),
	);
	return (property?.options as INodePropertyOptions[]).map((option) => option.value);
};

describe('options in a natural order', () => {
	test('periods in time order; Custom last', () => {
		expect(optionValues(action, 'period', { resource: ['usage'] })).toEqual([
			'today',
			'yesterday',
			'thisWeek',
			'lastWeek',
			'thisMonth',
			'lastMonth',
			'thisBillingCycle',
			'lastBillingCycle',
			'last7Days',
			'last30Days',
			'custom',
		]);
		expect(optionValues(threshold, 'period')).toEqual(['day', 'week', 'month', 'billingCycle']);
	});

	test('Group By starts with None', () => {
		expect(optionValues(action, 'groupBy')[0]).toBe('none');
		expect(optionValues(threshold, 'groupBy')).toEqual(['none', 'assistant', 'campaign', 'client', 'phoneNumber']);
		expect(optionValues(spike, 'groupBy')).toEqual(['none', 'assistant', 'campaign', 'client', 'phoneNumber']);
	});

	test('metrics, plans, pricing and Start From in the order a user thinks of them', () => {
		expect(optionValues(threshold, 'metric')).toEqual(['spend', 'forecastSpend', 'minutes', 'calls', 'balance']);
		expect(optionValues(spike, 'metric')).toEqual(['spend', 'minutes', 'calls', 'failedCalls']);
		expect(optionValues(action, 'pricingMode')).toEqual(['reported', 'plan']);
		expect(optionValues(action, 'plan')).toEqual(['flex', 'starter', 'business', 'scale', 'custom']);
		const options = call.description.properties.find((p) => p.name === 'options')!;
		const startFrom = (options.options as INodeProperties[]).find((p) => p.name === 'startFrom')!;
		expect((startFrom.options as INodePropertyOptions[]).map((o) => o.value)).toEqual([
			'now',
			'startOfToday',
			'startOfMonth',
		]);
	});
});

describe('words that belong to users, and to the node', () => {
	test('every parameter has a description', () => {
		// As in n8n's own nodes: a notice is its own text; Resource, Operation and the Options collection
		// ("Add Option") describe their entries instead, each of which is checked.
		const selfExplaining = (property: INodeProperties) =>
			property.type === 'notice' ||
			['resource', 'operation', 'event'].includes(property.name) ||
			(property.type === 'collection' && property.name === 'options');
		const missing = NODES.flatMap((type) =>
			allParameters(type.description.properties)
				.filter(({ property }) => !selfExplaining(property) && !property.description?.trim())
				.map(({ path: where }) => `${type.description.displayName}: ${where}`),
		);
		expect(missing).toEqual([]);
		const selectors = NODES.flatMap((type) => type.description.properties).filter((p) =>
			['resource', 'operation', 'event'].includes(p.name),
		);
		for (const selector of selectors.filter((p) => p.name !== 'resource')) {
			for (const option of selector.options as INodePropertyOptions[]) expect(option.description).toBeTruthy();
		}
	});

	/** All the text a user reads in a node's panel. */
	const texts = (type: INodeType) => [
		type.description.description,
		...allParameters(type.description.properties).flatMap(({ property }) => [
			property.displayName,
			property.description ?? '',
			property.placeholder ?? '',
			...((property.options ?? []) as INodePropertyOptions[]).map((o) => `${o.name ?? ''} ${o.description ?? ''}`),
		]),
	];

	test('no "package" anywhere in the editor; no "report" in the triggers', () => {
		const credential = new FamulorBillingApi();
		const credentialTexts = credential.properties.flatMap((p) => [p.displayName, p.description ?? '']);
		for (const text of [...NODES.flatMap(texts), ...credentialTexts]) expect(text).not.toMatch(/package/i);
		for (const text of TRIGGERS.flatMap(texts)) expect(text).not.toMatch(/\breport/i);
	});

	test('Markup Percent only where it counts; a Budget of 0 says what it means', () => {
		const clientFields = (type: INodeType) =>
			allParameters(type.description.properties)
				.filter(({ path: where }) => where.startsWith('Clients → '))
				.map(({ property }) => property);
		expect(clientFields(spike).map((p) => p.name)).not.toContain('markupPercent');
		const markup = clientFields(threshold).find((p) => p.name === 'markupPercent')!;
		expect(markup.displayOptions?.show?.['/metric']).toEqual(['spend', 'forecastSpend']);
		expect(markup.description).toMatch(/^Only with Options → Include Markup/);
		const budget = clientFields(threshold).find((p) => p.name === 'budget')!;
		expect(budget.description).toMatch(/Leave it at 0 to use the node's Budget/);
		expect(clientFields(action).map((p) => p.name)).toEqual([
			'name',
			'matchBy',
			'values',
			'markupPercent',
			'vatPercent',
			'reverseCharge',
		]);
	});

	test('the Call Trigger notice names what a user sees, not a hidden option or a field format', () => {
		const notice = call.description.properties.find((p) => p.type === 'notice')!;
		expect(notice.displayName).toContain('Options → Settle Minutes');
		expect(notice.displayName).toContain('<code>call:12345</code>');
		expect(notice.displayName).not.toMatch(/call: and the call ID/);
	});

	test('switches added from Outputs and Options start on (they are added to be turned on)', () => {
		const booleansIn = (type: INodeType, collection: string) =>
			type.description.properties
				.filter((p) => p.name === collection)
				.flatMap((p) => (p.options ?? []) as INodeProperties[])
				.filter((p) => p.type === 'boolean');
		for (const option of booleansIn(action, 'outputs'))
			expect([option.name, option.default]).toEqual([option.name, true]);
		for (const option of [...booleansIn(threshold, 'options'), ...booleansIn(spike, 'options')]) {
			expect([option.name, option.default]).toEqual([option.name, true]);
		}
	});

	test('Charge Summary and Audit Rentals say that they run once per input item, with the fix', () => {
		const notices = action.description.properties.filter((p) => p.type === 'notice');
		const forOperation = (operation: string) =>
			notices.find((p) => p.displayOptions?.show?.operation?.includes(operation))?.displayName ?? '';
		expect(forOperation('generate')).toMatch(/one summary per input item.*Execute Once/);
		expect(forOperation('audit')).toMatch(/one audit per input item.*Execute Once/);
	});
});

describe('the nodes panel lists the triggers under Famulor Billing', () => {
	// n8n's editor (useActionsGeneration.generateMergedNodesAndActions) merges a trigger into the node
	// whose name is the trigger's without "Trigger", and offers each option of a "Trigger On" (or "Event")
	// parameter as one of the app's triggers. Restated here from its rules, not imported.
	const typeName = (type: INodeType) => `${PACKAGE.name}.${type.description.name}`;

	test('Famulor Billing Trigger is merged into Famulor Billing, with one trigger per event', () => {
		const merged = typeName(billingTrigger).replace('Trigger', '');
		expect(merged).toBe(typeName(action));
		const triggerOn = billingTrigger.description.properties.find((p) =>
			['event', 'events', 'trigger on'].includes(p.displayName.toLowerCase()),
		)!;
		expect(triggerOn.name).toBe('event');
		expect((triggerOn.options as INodePropertyOptions[]).map((o) => [o.value, o.action])).toEqual([
			['threshold', 'On spend, minutes, calls or balance crossing a threshold'],
			['spike', 'On usage far above normal'],
			['call', 'On call ended, with its final cost'],
		]);
		expect(PACKAGE.n8n.nodes).toContain('dist/nodes/FamulorBillingTrigger/FamulorBillingTrigger.node.js');
	});

	test("each event shows exactly its trigger's parameters", () => {
		const shown = (event: string) =>
			billingTrigger.description.properties
				.filter((p) => p.displayOptions?.show?.event?.includes(event))
				.map((p) => p.name);
		expect(shown('threshold')).toEqual(threshold.description.properties.map((p) => p.name));
		expect(shown('spike')).toEqual(spike.description.properties.map((p) => p.name));
		expect(shown('call')).toEqual(call.description.properties.map((p) => p.name));
	});
});

describe('Docs links land on the node', () => {
	// n8n opens `${primaryDocumentation}?utm_source=…`: after a #anchor the query becomes part of the
	// anchor and the page opens at its top. Every link is a page of its own, without an anchor.
	const REPO = 'https://github.com/famulor-billing/n8n-nodes-famulor-billing/blob/main/';
	const codexes = PACKAGE.n8n.nodes.map((file) =>
		JSON.parse(fs.readFileSync(path.join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.json')), 'utf8')),
	);

	test.each(codexes.map((codex) => [codex.node, codex]))('%s', (_name, codex) => {
		const urls = [
			...codex.resources.primaryDocumentation.map((doc: { url: string }) => doc.url),
			...codex.resources.credentialDocumentation.map((doc: { url: string }) => doc.url),
		];
		for (const url of urls) {
			expect(url).not.toContain('#');
			expect(url.startsWith(REPO)).toBe(true);
			expect(fs.existsSync(path.join(ROOT, url.slice(REPO.length)))).toBe(true);
		}
		// The page is the node's own: its title is the node's display name.
		const page = fs.readFileSync(
			path.join(ROOT, codex.resources.primaryDocumentation[0].url.slice(REPO.length)),
			'utf8',
		);
		const type = NODES.find((node) => `${PACKAGE.name}.${node.description.name}` === codex.node)!;
		expect(page.split('\n')[0]).toBe(`# ${type.description.displayName}`);
	});

	test("the credential's documentation link too", () => {
		const url = new FamulorBillingApi().documentationUrl;
		expect(url).not.toContain('#');
		expect(fs.existsSync(path.join(ROOT, url.slice(REPO.length)))).toBe(true);
	});
});
