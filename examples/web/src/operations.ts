// The operations this client sends. Each graphql() call is typed by the
// client preset (src/gql/) and lands in persisted-documents.json, the
// manifest the gateway runs in trusted-documents mode.
import { graphql } from "./gql/index.js";

/** A dashboard's first screen: the profile, the latest orders, the wallet. */
export const DashboardQuery = graphql(`
  query Dashboard($userId: ID!, $orders: Int = 3) {
    dashboard(userId: $userId) {
      userId
      profile {
        name
        tier
        memberSince
      }
      orders(first: $orders) {
        id
        status
        total {
          formatted
        }
      }
      wallet {
        loyaltyPoints
      }
    }
  }
`);

/**
 * The same screen with the orders deferred: the gateway answers the profile
 * at once and the orders, whose service is slower, in a later part of a
 * multipart/mixed response (src/urql.ts reads it).
 */
export const DeferredDashboardQuery = graphql(`
  query DeferredDashboard($userId: ID!, $orders: Int = 3) {
    dashboard(userId: $userId) {
      userId
      profile {
        name
        tier
      }
      ... @defer(label: "orders") {
        orders(first: $orders) {
          id
          status
          total {
            formatted
          }
        }
      }
    }
  }
`);
