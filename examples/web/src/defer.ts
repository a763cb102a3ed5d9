// Fetches a dashboard with its orders deferred, through urql, from a gateway
// in trusted-documents mode, and prints the report of report.ts.
//
//   GATEWAY_URL=http://localhost:8080/query node dist/defer.js u1
import type { Client } from "./client.js";
import { DeferredDashboardDocument } from "./gql/graphql.js";
import { report, seen, watchingFetch } from "./report.js";
import { eachResult, urqlClient } from "./urql.js";

const client: Client = { endpoint: process.env["GATEWAY_URL"] ?? "http://localhost:8080/query" };
const userId = process.argv[2] ?? "u1";

const results = await eachResult(
  urqlClient(client, watchingFetch),
  DeferredDashboardDocument,
  { userId, orders: 2 },
  (result) =>
    seen(
      result.hasNext,
      result.data?.dashboard,
      result.error?.graphQLErrors,
      result.error?.networkError?.message,
    ),
);
report(results);
