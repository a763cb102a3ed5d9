// A GraphQL client in a few lines of plain fetch: it sends a persisted
// document's hash ("documentId"), never its text, and returns data and
// errors together, since the gateway answers partially (a field whose
// service failed is null, and an error with that path says why).
//
// Single JSON answers only. An incremental (@defer) answer arrives as
// multipart/mixed, which src/urql.ts reads with urql.
import type { TypedDocumentString } from "./gql/graphql.js";

/** One entry of a response's errors, as the gateway's contract has it. */
export interface GraphQLError {
  message: string;
  /** The field that is null because of this error, e.g. ["dashboard", "orders"]. */
  path?: ReadonlyArray<string | number>;
  extensions?: {
    /** The contract's error code: UPSTREAM_ERROR, DEADLINE_EXCEEDED, ... */
    code?: string;
    /** The downstream service at fault, when there is one. */
    service?: string;
    [key: string]: unknown;
  };
}

/** A GraphQL response: data, errors, or (partial success) both. */
export interface Result<TData> {
  data?: TData | null;
  errors?: GraphQLError[];
}

/** Where and how to reach the gateway. */
export interface Client {
  /** The GraphQL endpoint, e.g. http://localhost:8080/query. */
  endpoint: string;
  /** Extra request headers, e.g. Authorization or X-Timeout-Ms. */
  headers?: Record<string, string>;
}

/** The variables argument: optional when the operation needs none. */
type VariablesArg<TVariables> = Record<string, never> extends TVariables
  ? [variables?: TVariables]
  : [variables: TVariables];

/**
 * Runs a generated persisted document and returns its result. It rejects
 * only when there is no GraphQL answer at all (network, non-JSON body);
 * a partial answer resolves with both data and errors.
 */
export async function execute<TResult, TVariables>(
  client: Client,
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: VariablesArg<TVariables>
): Promise<Result<TResult>> {
  return (await post(client, { documentId: documentId(document), variables })) as Result<TResult>;
}

/** Returns a generated document's persisted id (sha256:<hex>), all the gateway needs. */
export function documentId<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>): string {
  const id: unknown = document.__meta__?.["hash"];
  if (typeof id !== "string") {
    throw new Error("the document has no persisted hash: run npm run codegen");
  }
  return id;
}

/**
 * Sends a request body as JSON and decodes the GraphQL response, whatever
 * the HTTP status: request errors (say, a refused document) come with a
 * 4xx and a JSON body too.
 */
export async function post(client: Client, body: unknown): Promise<Result<unknown>> {
  const response = await fetch(client.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      ...client.headers,
    },
    body: JSON.stringify(body),
  });
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("json")) {
    throw new Error(`gateway answered ${response.status} with ${type || "no content type"}`);
  }
  return (await response.json()) as Result<unknown>;
}
