// Incremental delivery (@defer) through urql: @urql/core's fetchExchange
// reads a multipart/mixed answer part by part and yields a result for each,
// the deferred fragments merged into the data at their path and their
// errors added to the result's. Its Accept header always offers
// multipart/mixed; the gateway answers in it only operations with @defer.
//
// urql sends a bare {"documentId"} only for a document without definitions,
// which its development build refuses (it checks each operation's type
// against the document's). So a persisted document is given to urql with a
// stub definition that says it is a query, and an exchange has fetch send
// the document's id in place of the stub's text: the same body as execute's.
import {
  Client as UrqlClient,
  fetchExchange,
  makeOperation,
  mapExchange,
  type Operation,
  type OperationResult,
  type TypedDocumentNode,
} from "@urql/core";
import { documentId, type Client } from "./client.js";
import type { TypedDocumentString } from "./gql/graphql.js";

/** A document as urql gets it: a stub naming the persisted document by id. */
type PersistedNode<TResult, TVariables> = TypedDocumentNode<TResult, TVariables> & { documentId: string };

/**
 * Returns an urql client for the gateway. It posts (never GET), sends
 * persisted documents by id, and has no cache exchange: every query goes to
 * the gateway. fetcher replaces the global fetch (to watch the requests, say).
 */
export function urqlClient(client: Client, fetcher: typeof fetch = fetch): UrqlClient {
  return new UrqlClient({
    url: client.endpoint,
    exchanges: [mapExchange({ onOperation: (operation) => byId(operation, fetcher) }), fetchExchange],
    preferGetMethod: false,
    ...(client.headers && { fetchOptions: { headers: client.headers } }),
  });
}

/**
 * Makes a generated persisted query a document urql takes: a stub query
 * with the persisted id (the stub's text never leaves: see byId).
 */
export function persisted<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
): PersistedNode<TResult, TVariables & Record<string, unknown>> {
  const stub = {
    kind: "Document",
    definitions: [{ kind: "OperationDefinition", operation: "query", selectionSet: { kind: "SelectionSet", selections: [] } }],
    documentId: documentId(document),
  };
  return stub as unknown as PersistedNode<TResult, TVariables & Record<string, unknown>>;
}

/** Has an operation on a persisted document fetched with the id in place of the query. */
function byId(operation: Operation, fetcher: typeof fetch): Operation {
  const id = (operation.query as Partial<PersistedNode<unknown, unknown>>).documentId;
  if (id === undefined) {
    return operation;
  }
  const fetchById: typeof fetch = (input, init) => {
    const { query: _stub, ...body } = JSON.parse(String(init?.body)) as Record<string, unknown>;
    return fetcher(input, { ...init, body: JSON.stringify({ ...body, documentId: id }) });
  };
  return makeOperation(operation.kind, operation, { ...operation.context, fetch: fetchById });
}

/**
 * Runs a persisted query and resolves with what see returns for each result
 * urql yields, in order, up to the last (hasNext false). see runs as each
 * result arrives: urql appends a later part's errors to the array of the
 * result before it, so a result must be read then, not after the last.
 */
export function eachResult<TResult, TVariables, T>(
  client: UrqlClient,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables & Record<string, unknown>,
  see: (result: OperationResult<TResult>) => T,
): Promise<T[]> {
  return new Promise((resolve) => {
    const seen: T[] = [];
    let done = false;
    const subscription = client
      .query(persisted(document), variables, { requestPolicy: "network-only" })
      .subscribe((result) => {
        seen.push(see(result));
        if (!result.hasNext && !done) {
          done = true;
          resolve(seen);
          queueMicrotask(() => subscription.unsubscribe());
        }
      });
  });
}
