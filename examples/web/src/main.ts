// Fetches a dashboard through the gateway in trusted-documents mode and
// prints what a page would use: the typed data that arrived, and for each
// null field the error that explains it. Then it shows that a document
// outside the manifest is refused. Prints one JSON report on stdout.
//
//   GATEWAY_URL=http://localhost:8080/query node dist/main.js
import { execute, post, type Client, type GraphQLError } from "./client.js";
import { DashboardDocument } from "./gql/graphql.js";

const client: Client = { endpoint: process.env["GATEWAY_URL"] ?? "http://localhost:8080/query" };
const userId = process.argv[2] ?? "u1";

const result = await execute(client, DashboardDocument, { userId, orders: 2 });
const dashboard = result.data?.dashboard;
if (!dashboard) {
  // No data at all: the whole request failed (not a partial answer).
  console.error("no dashboard:", JSON.stringify(result.errors));
  process.exit(1);
}

// Typed data: each field is its type or null; a null field has an error.
const errorAt = (field: string): GraphQLError | undefined =>
  result.errors?.find((e) => e.path?.[0] === "dashboard" && e.path[1] === field);
const report = {
  profile: dashboard.profile && { name: dashboard.profile.name, tier: dashboard.profile.tier },
  orders:
    dashboard.orders?.map((o) => ({
      id: o.id,
      status: o.status,
      placedAt: o.placedAt,
      total: o.total.formatted,
      // A product whose service failed is null: the item stays, unnamed.
      items: o.items.map((it) => ({ quantity: it.quantity, product: it.product?.name ?? null })),
    })) ?? null,
  loyaltyPoints: dashboard.wallet?.loyaltyPoints ?? null,
  // Partial success: which fields are missing and why (extensions.code).
  errors: (result.errors ?? []).map((e) => ({
    path: e.path?.join(".") ?? "",
    code: e.extensions?.code ?? "",
    service: e.extensions?.service ?? "",
  })),
  ordersError: dashboard.orders === null ? (errorAt("orders")?.extensions?.code ?? "") : "",
  // The same gateway refuses any document that is not in the manifest.
  refused: await refusedCode(`{ dashboard(userId: "${userId}") { userId } }`),
};
console.log(JSON.stringify(report));

/** Sends a document's text, as an attacker could, and returns the error code. */
async function refusedCode(query: string): Promise<string> {
  const refused = await post(client, { query });
  return refused.errors?.[0]?.extensions?.code ?? "";
}
