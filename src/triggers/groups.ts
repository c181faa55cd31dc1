/**
 * The group a trigger counts a call in: '' for all calls (Group By None), the assistant, campaign or
 * phone number (Group By those), or the client by the client rules (Group By Client, clientGroups.ts).
 */
import { dimensionKey, type Call, type TriggerGroupBy } from '../calls';
import { clientGroupOf, type ClientGrouping } from './clientGroups';

/** The group of a call ('' = all calls), or undefined when it is not evaluated (Unassigned without the option). */
export function groupOf(config: { groupBy: TriggerGroupBy; clients?: ClientGrouping }, call: Call): string | undefined {
	if (config.groupBy === 'client') return clientGroupOf(config.clients, call);
	return config.groupBy === 'none' ? '' : (dimensionKey(call, config.groupBy) as string);
}
