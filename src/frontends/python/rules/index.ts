// The Python visitors of each rule; transforms/<rule>.ts lists them under `python`.
import { awaitNonThenableVisitors } from './await-non-thenable.js';
import { blockingIoVisitors, blockingSleepVisitors } from './blocking-calls.js';
import { floatingPromiseVisitors } from './floating-promise.js';

/** Each rule's Python visitors; transforms/<rule>.ts lists the same objects under `python`. */
export { awaitNonThenableVisitors, blockingIoVisitors, blockingSleepVisitors, floatingPromiseVisitors };
