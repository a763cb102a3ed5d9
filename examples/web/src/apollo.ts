// Fetches a dashboard with its orders deferred through Apollo Client, in
// one of the ways an application reads @defer with it, and prints the
// report of report.ts:
//
//   apollo3                  Apollo Client 3: its HttpLink asks for
//                            deferSpec=20220824 and merges the parts
//   apollo4-defer20220824    Apollo Client 4 with Defer20220824Handler:
//                            deferSpec=20220824
//   apollo4-graphql17alpha9  Apollo Client 4 with GraphQL17Alpha9Handler:
//                            incrementalSpec=v0.2 (the format of
//                            graphql-js 17.0.0-alpha.9)
//
//   GATEWAY_URL=http://localhost:8080/query node dist/apollo.js u1 apollo4-graphql17alpha9
//
// Apollo's HttpLink asks for multipart/mixed only when the document it
// sends has @defer, and it sends the document's text (with __typename added
// to every selection), not a persisted id: the gateway runs in its default
// mode, not in trusted-documents mode. The text is the manifest's for the
// generated document's id: the operation of examples/operations.
import { readFileSync } from "node:fs";

import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache } from "@apollo/client";
import { Defer20220824Handler, GraphQL17Alpha9Handler } from "@apollo/client/incremental";
import * as Apollo3 from "@apollo/client3/core/index.js";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";

import { documentId } from "./client.js";
import { DeferredDashboardDocument, type DeferredDashboardQuery, type DeferredDashboardQueryVariables } from "./gql/graphql.js";
import { report, seen, watchingFetch, type Seen } from "./report.js";

const uri = process.env["GATEWAY_URL"] ?? "http://localhost:8080/query";
const userId = process.argv[2] ?? "u1";
const kind = process.argv[3] ?? "apollo4-graphql17alpha9";

const manifest = JSON.parse(
  readFileSync(new URL("../src/gql/persisted-documents.json", import.meta.url), "utf8"),
) as Record<string, string | undefined>;
const text = manifest[documentId(DeferredDashboardDocument)];
if (text === undefined) {
  throw new Error("DeferredDashboard is not in the manifest: run npm run codegen");
}
const query = parse(text) as TypedDocumentNode<DeferredDashboardQuery, DeferredDashboardQueryVariables>;
// errorPolicy "all": a partial answer keeps its data with its errors.
const options = { query, variables: { userId, orders: 2 }, fetchPolicy: "network-only", errorPolicy: "all" } as const;

/** The results a client's watched query yields, until one is the last (or 10 s pass). */
function results(subscribe: (next: (s: Seen) => boolean) => () => void): Promise<Seen[]> {
  return new Promise((resolve, reject) => {
    const all: Seen[] = [];
    const timer = setTimeout(() => reject(new Error(`no last result in 10 s: ${JSON.stringify(all)}`)), 10_000);
    const unsubscribe = subscribe((s) => {
      all.push(s);
      if (s.hasNext) {
        return false;
      }
      clearTimeout(timer);
      queueMicrotask(unsubscribe);
      resolve(all);
      return true;
    });
  });
}

/** Apollo Client 4 with the handler of the format to ask for. */
function apollo4(handler: Defer20220824Handler | GraphQL17Alpha9Handler): Promise<Seen[]> {
  // The cast: under exactOptionalPropertyTypes, GraphQL17Alpha9Handler's
  // optional streamInfo does not match the option's type (Apollo's types
  // are checked without it); the object is what the option takes.
  const incrementalHandler = handler as NonNullable<ApolloClient.Options["incrementalHandler"]>;
  const client = new ApolloClient({ cache: new InMemoryCache(), link: new HttpLink({ uri, fetch: watchingFetch }), incrementalHandler });
  return results((next) => {
    const subscription = client.watchQuery(options).subscribe((result) => {
      if (result.dataState === "empty" && !result.error) {
        return; // loading
      }
      const errors = CombinedGraphQLErrors.is(result.error) ? result.error.errors : [];
      const networkError = result.error && !CombinedGraphQLErrors.is(result.error) ? result.error.message : "";
      if (next(seen(result.dataState === "streaming", result.data?.dashboard, errors, networkError))) {
        client.stop();
      }
    });
    return () => subscription.unsubscribe();
  });
}

/**
 * Apollo Client 3, whose results do not say whether more follows: the
 * last is the first with the deferred orders (or an error without data).
 */
function apollo3(): Promise<Seen[]> {
  const client = new Apollo3.ApolloClient({ cache: new Apollo3.InMemoryCache(), link: new Apollo3.HttpLink({ uri, fetch: watchingFetch }) });
  return results((next) => {
    const subscription = client.watchQuery(options).subscribe((result) => {
      const dashboard: object | undefined = result.data?.dashboard;
      const errors = result.errors ?? result.error?.graphQLErrors ?? [];
      const networkError = result.error?.networkError?.message ?? "";
      if (next(seen(dashboard !== undefined && !("orders" in dashboard), dashboard, errors, networkError))) {
        client.stop();
      }
    });
    return () => subscription.unsubscribe();
  });
}

const clients: Record<string, () => Promise<Seen[]>> = {
  apollo3,
  "apollo4-defer20220824": () => apollo4(new Defer20220824Handler()),
  "apollo4-graphql17alpha9": () => apollo4(new GraphQL17Alpha9Handler()),
};
const run = clients[kind];
if (run === undefined) {
  throw new Error(`unknown client ${kind}: one of ${Object.keys(clients).join(", ")}`);
}
report(await run());
