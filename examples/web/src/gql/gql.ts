/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Dashboard($userId: ID!, $orders: Int = 3) {\n  dashboard(userId: $userId) {\n    userId\n    profile {\n      name\n      tier\n      memberSince\n    }\n    orders(first: $orders) {\n      id\n      status\n      placedAt\n      total {\n        formatted\n      }\n      items {\n        quantity\n        product {\n          name\n        }\n      }\n    }\n    wallet {\n      loyaltyPoints\n    }\n  }\n}\n\nquery DeferredDashboard($userId: ID!, $orders: Int = 3) {\n  dashboard(userId: $userId) {\n    userId\n    profile {\n      name\n      tier\n    }\n    ... on Dashboard @defer(label: \"orders\") {\n      orders(first: $orders) {\n        id\n        status\n        total {\n          formatted\n        }\n      }\n    }\n  }\n}": typeof types.DashboardDocument,
};
const documents: Documents = {
    "query Dashboard($userId: ID!, $orders: Int = 3) {\n  dashboard(userId: $userId) {\n    userId\n    profile {\n      name\n      tier\n      memberSince\n    }\n    orders(first: $orders) {\n      id\n      status\n      placedAt\n      total {\n        formatted\n      }\n      items {\n        quantity\n        product {\n          name\n        }\n      }\n    }\n    wallet {\n      loyaltyPoints\n    }\n  }\n}\n\nquery DeferredDashboard($userId: ID!, $orders: Int = 3) {\n  dashboard(userId: $userId) {\n    userId\n    profile {\n      name\n      tier\n    }\n    ... on Dashboard @defer(label: \"orders\") {\n      orders(first: $orders) {\n        id\n        status\n        total {\n          formatted\n        }\n      }\n    }\n  }\n}": types.DashboardDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard($userId: ID!, $orders: Int = 3) {\n  dashboard(userId: $userId) {\n    userId\n    profile {\n      name\n      tier\n      memberSince\n    }\n    orders(first: $orders) {\n      id\n      status\n      placedAt\n      total {\n        formatted\n      }\n      items {\n        quantity\n        product {\n          name\n        }\n      }\n    }\n    wallet {\n      loyaltyPoints\n    }\n  }\n}\n\nquery DeferredDashboard($userId: ID!, $orders: Int = 3) {\n  dashboard(userId: $userId) {\n    userId\n    profile {\n      name\n      tier\n    }\n    ... on Dashboard @defer(label: \"orders\") {\n      orders(first: $orders) {\n        id\n        status\n        total {\n          formatted\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').DashboardDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
