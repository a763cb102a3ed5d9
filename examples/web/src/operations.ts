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
