import type { ts } from '@ts-morph/common';

/** A checker that records every node whose type it is asked (the tests that a question is spared). */
export function recordingChecker(checker: ts.TypeChecker): { checker: ts.TypeChecker; asked: Set<ts.Node> } {
  const asked = new Set<ts.Node>();
  const recording = new Proxy(checker, {
    get(target, key, receiver) {
      if (key === 'getTypeAtLocation') {
        return (node: ts.Node) => {
          asked.add(node);
          return target.getTypeAtLocation(node);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { checker: recording, asked };
}
