// The Python rule context: what a transform's `python` visitors receive. Filled in by the Python front-end.
export type PyVisitors = Record<string, never>;
