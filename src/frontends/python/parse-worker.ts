// A parse thread (see parse-pool.ts): parses the texts it is sent into compact trees and sends back
// their arrays, transferred rather than copied.
import { parentPort } from 'node:worker_threads';
import { loadPythonParser, parsePython, type IndexArray } from './parser.js';

export interface ParseRequest {
  id: number;
  text: string;
}

export type ParseReply = { id: number; arrays: TreeArrays } | { id: number; error: string };

export interface TreeArrays {
  types: Uint16Array;
  starts: IndexArray;
  ends: IndexArray;
  parents: IndexArray;
  after: IndexArray;
  fields: Uint8Array;
  flags: Uint8Array;
}

const port = parentPort;
if (port) {
  const loaded = loadPythonParser();
  port.on('message', (request: ParseRequest) => {
    loaded.then(
      () => {
        const { types, starts, ends, parents, after, fields, flags } = parsePython(request.text);
        const arrays: TreeArrays = { types, starts, ends, parents, after, fields, flags };
        port.postMessage({ id: request.id, arrays } satisfies ParseReply, Object.values(arrays).map((array: TreeArrays[keyof TreeArrays]) => array.buffer as ArrayBuffer));
      },
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ParseReply),
    ).catch((error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ParseReply));
  });
}
