// The Python visitors of each rule, listed by hand.
import type { RuleId } from '../../../model.js';
import type { PyVisitors } from '../rule-context.js';
import { awaitNonThenableVisitors } from './await-non-thenable.js';
import { blockingCallVisitors } from './blocking-calls.js';
import { floatingPromiseVisitors } from './floating-promise.js';

/** blocking-sleep and blocking-io share one visitor: the table entry says which rule a call breaks. */
export const PYTHON_RULE_VISITORS: readonly { rules: readonly RuleId[]; visitors: PyVisitors }[] = [
  { rules: ['blocking-sleep', 'blocking-io'], visitors: blockingCallVisitors },
  { rules: ['await-non-thenable'], visitors: awaitNonThenableVisitors },
  { rules: ['floating-promise'], visitors: floatingPromiseVisitors },
];
