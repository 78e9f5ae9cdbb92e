"""Document limits: abusive GraphQL requests are refused before any provider is called.

One request passes these checks in order, each cheaper than the next, and the first
that fails answers (a request error with a stable `extensions.code`, no `data`):

1. the body size and JSON batching (`graphql_request`, before the body is parsed);
2. the document's length (no parse), then its tokens (while parsing) — `documents`;
3. the parsed operation's shape: depth, aliases, directives, root fields,
   introspection, literal `first` and list sizes — `shape`, `lists`;
4. the schema's own validation (only documents within every limit reach it);
5. with the variables: `first`, list sizes, and the estimated provider calls — `cost`;
6. while it runs, the provider calls actually made — `budget`.

Steps 2-4 run once per document text (an LRU in `documents`); steps 5-6 per request,
though step 5's estimate is remembered per document with the variable values it read
(`verdicts`). `extension` wires them into Strawberry.
"""
