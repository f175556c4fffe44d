// Every rule, listed by hand: the order is the order of the README's rule table.
import type { Transform } from '../src/transform.js';
import blockingSleep from './blocking-sleep.js';
import blockingIo from './blocking-io.js';
import awaitNonThenable from './await-non-thenable.js';
import floatingPromise from './floating-promise.js';

export const TRANSFORMS: readonly Transform[] = [blockingSleep, blockingIo, awaitNonThenable, floatingPromise];
