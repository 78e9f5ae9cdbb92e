#!/usr/bin/env bash
# Re-create gateway/static/graphiql/ from the npm packages (GraphiQL is served by the
# gateway itself, so it works offline). Needs npm; run from the repository root.
set -euo pipefail
GRAPHIQL=3.8.3   # the last major with a UMD bundle
REACT=18.3.1     # React 19 ships no UMD builds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for f in "$work"/*.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
out=gateway/static/graphiql
cp "$work/graphiql-$GRAPHIQL/package/"graphiql.min.{js,css} "$out/"
cp "$work/react-$REACT/package/umd/react.production.min.js" "$out/"
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/"
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" "$out/LICENSE.graphiql"
cp "$work/react-$REACT/package/LICENSE" "$out/LICENSE.react"
cp "$work/react-dom-$REACT/package/LICENSE" "$out/LICENSE.react-dom"
echo "vendored graphiql $GRAPHIQL and react $REACT into $out"
