// Front-ends beyond TypeScript, created per run when the paths hold files of their language.
import type { Config } from '../config.js';
import type { FrontEnd } from '../frontend.js';

export const EXTRA_FRONT_ENDS: ((root: string, config: Config) => FrontEnd | undefined)[] = [];
