// Compose subgraphs the way an Apollo router's supergraph is built (@apollo/composition).
// stdin: [{"name", "url", "sdl"}, ...]; stdout: {"errors": [...], "hints": [...], "supergraphSdl"}.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const subgraphs = JSON.parse(readFileSync(0, "utf8"));
const result = composeServices(
  subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
);
process.stdout.write(
  JSON.stringify({
    errors: (result.errors ?? []).map((error) => error.message),
    hints: (result.hints ?? []).map((hint) => hint.toString()),
    supergraphSdl: result.supergraphSdl ?? null,
  }),
);
