// Front-ends beyond TypeScript, created per run when the paths hold files of their language.
import type { Config } from '../config.js';
import type { FrontEnd } from '../frontend.js';
import { createPythonFrontEnd } from './python/index.js';

export const EXTRA_FRONT_ENDS: ((root: string, config: Config, onWarning?: (message: string) => void) => FrontEnd | undefined)[] = [
  (root, config, onWarning) => createPythonFrontEnd({ root, config, onWarning }),
];
