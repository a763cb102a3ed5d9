// Fetches a dashboard with its orders deferred, through urql, from a gateway
// in trusted-documents mode, and prints one JSON report on stdout: what the
// request offered and the response was (Accept, Content-Type), and each
// result urql yielded, in order: the data so far (a deferred field not yet
// come is absent, not null), the errors so far, and whether more follows.
//
//   GATEWAY_URL=http://localhost:8080/query node dist/defer.js u1
import type { Client } from "./client.js";
import { DeferredDashboardDocument } from "./gql/graphql.js";
import { eachResult, urqlClient } from "./urql.js";

const client: Client = { endpoint: process.env["GATEWAY_URL"] ?? "http://localhost:8080/query" };
const userId = process.argv[2] ?? "u1";

// The exchange of headers, seen through the fetch urql is given.
const transport = { accept: "", contentType: "" };
const watchingFetch: typeof fetch = async (input, init) => {
  transport.accept = new Headers(init?.headers).get("Accept") ?? "";
  const response = await fetch(input, init);
  transport.contentType = response.headers.get("Content-Type") ?? "";
  return response;
};

const results = await eachResult(
  urqlClient(client, watchingFetch),
  DeferredDashboardDocument,
  { userId, orders: 2 },
  (result) => ({
    hasNext: result.hasNext,
    // A copy: urql builds the next result from this one.
    dashboard: structuredClone(result.data?.dashboard ?? null),
    errors: (result.error?.graphQLErrors ?? []).map((e) => ({
      path: e.path?.join(".") ?? "",
      code: String(e.extensions?.["code"] ?? ""),
      service: String(e.extensions?.["service"] ?? ""),
    })),
    networkError: result.error?.networkError?.message ?? "",
  }),
);
console.log(JSON.stringify({ transport, results }));
